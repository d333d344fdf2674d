// The ops a LoRA gradient must flow through: every node reachable forward from the adapter inputs whose
// outputs are float. Element types come from the graph's declarations and a light per-op propagation
// (no shapes needed); an unknown type counts as float so a missing rule is never hidden.
import { attrInt, findAttribute } from '../onnx/attributes';
import { isFloatType } from '../onnx/tensor-data';
import { DataType, Graph, NodeProto } from '../onnx/types';

const int64Outputs = new Set(['Shape', 'Size', 'NonZero', 'ArgMax', 'ArgMin']);
const boolOutputs = new Set(['Equal', 'Less', 'LessOrEqual', 'Greater', 'GreaterOrEqual', 'Not', 'And', 'Or', 'Xor', 'IsNaN', 'IsInf']);

// Output k's element type for the ops whose output type is not simply their first input's.
function outputType(node: NodeProto, k: number, typeOf: (name: string) => DataType | undefined): DataType | undefined {
  const op = node.opType;
  if (int64Outputs.has(op)) return DataType.INT64;
  if (boolOutputs.has(op)) return DataType.BOOL;
  if (op === 'Cast') return attrInt(node, 'to');
  if (op === 'CastLike') return typeOf(node.inputs[1]);
  if (op === 'Where') return typeOf(node.inputs[1]);
  if (op === 'TopK' && k === 1) return DataType.INT64;
  if (op === 'Dropout' && k === 1) return DataType.BOOL;
  if (op === 'Constant' || op === 'ConstantOfShape') {
    const value = findAttribute(node, 'value');
    if (value?.t) return value.t.dataType;
    if (op === 'ConstantOfShape') return DataType.FLOAT;
    return findAttribute(node, 'value_float') || findAttribute(node, 'value_floats') ? DataType.FLOAT : DataType.INT64;
  }
  for (const input of node.inputs) {
    const t = input ? typeOf(input) : undefined;
    if (t !== undefined) return t;
  }
  return undefined;
}

/** Element type of every value the graph declares or that propagates from declarations. */
export function inferElementTypes(graph: Graph): Map<string, DataType> {
  const types = new Map<string, DataType>();
  for (const t of graph.initializers) types.set(t.name, t.dataType);
  for (const v of [...graph.inputs, ...graph.outputs, ...graph.valueInfo]) {
    if (v.elemType !== undefined) types.set(v.name, v.elemType);
  }
  const typeOf = (name: string) => types.get(name);
  for (const node of graph.nodes) {
    node.outputs.forEach((out, k) => {
      if (!out || types.has(out)) return;
      const t = outputType(node, k, typeOf);
      if (t !== undefined) types.set(out, t);
    });
  }
  return types;
}

/** Nodes (in graph order) reachable from `sources` through float values, with at least one float output. */
export function gradientPathNodes(graph: Graph, sources: Iterable<string>): NodeProto[] {
  const types = inferElementTypes(graph);
  const isFloatValue = (name: string) => {
    const t = types.get(name);
    return t === undefined || isFloatType(t);
  };
  const onPath = new Set(sources);
  const path: NodeProto[] = [];
  for (const node of graph.nodes) {
    if (!node.inputs.some((i) => i && onPath.has(i))) continue;
    const floatOutputs = node.outputs.filter((o) => o && isFloatValue(o));
    if (floatOutputs.length === 0) continue;
    for (const o of floatOutputs) onPath.add(o);
    path.push(node);
  }
  return path;
}
