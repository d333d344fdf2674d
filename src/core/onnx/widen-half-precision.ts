// float16 and bfloat16 exports (what GPU users export) computed in float32 on the CPU, where ONNX Runtime has
// few half kernels (bfloat16 Mul has none). The half weights stay as they are on disk: each gets a Cast to
// float32 in front of its readers, which ONNX Runtime folds into a float32 constant when a session opens (so a
// session holds the weights in float32: twice the file's size). Everything the graph computes in half —
// Cast targets, constants, declared types — becomes float32. The adapters and optimizer state are float32
// anyway; merging writes back into the half weights in their own type.
import { Attribute, AttributeType, DataType, Graph, ModelProto, NodeProto, TensorProto, ValueInfo } from './types';
import { makeNode } from './attributes';
import { floatsToBytes, tensorToFloat32 } from './tensor-data';

const isHalf = (t: DataType | undefined) => t === DataType.FLOAT16 || t === DataType.BFLOAT16;

/** The model computes in float16 or bfloat16 somewhere (a weight, a Cast, a declared type). */
export function hasHalfPrecision(model: ModelProto): boolean {
  const g = model.graph;
  return (
    g.initializers.some((t) => isHalf(t.dataType)) ||
    [...g.inputs, ...g.outputs, ...g.valueInfo].some((v) => isHalf(v.elemType)) ||
    g.nodes.some((n) => n.attributes.some((a) => (a.type === AttributeType.INT && (a.name === 'to' || a.name === 'dtype') && isHalf(a.i)) || (a.t !== undefined && isHalf(a.t.dataType))))
  );
}

function widenTensor(t: TensorProto): TensorProto {
  if (!isHalf(t.dataType)) return t;
  const { external: _external, ...rest } = t;
  return { ...rest, dataType: DataType.FLOAT, raw: floatsToBytes(tensorToFloat32(t), DataType.FLOAT) };
}

const widenInfo = (v: ValueInfo): ValueInfo => (isHalf(v.elemType) ? { ...v, elemType: DataType.FLOAT } : v);

function widenAttribute(a: Attribute, rename: (name: string) => string): Attribute {
  if (a.type === AttributeType.INT && (a.name === 'to' || a.name === 'dtype') && isHalf(a.i)) return { ...a, i: DataType.FLOAT };
  if (a.type === AttributeType.TENSOR && a.t) return { ...a, t: widenTensor(a.t) };
  if (a.type === AttributeType.GRAPH && a.g) return { ...a, g: widenGraph(a.g, rename, false) };
  if (a.type === AttributeType.GRAPHS && a.graphs) return { ...a, graphs: a.graphs.map((g) => widenGraph(g, rename, false)) };
  return a;
}

// `rename` maps a half initializer of the main graph to its float32 Cast output; subgraphs read the outer
// scope by name, so their inputs are renamed the same way.
function widenGraph(g: Graph, rename: (name: string) => string, top: boolean): Graph {
  const nodes = g.nodes.map((n): NodeProto => ({ ...n, inputs: n.inputs.map(rename), attributes: n.attributes.map((a) => widenAttribute(a, rename)) }));
  const casts = top
    ? g.initializers.filter((t) => isHalf(t.dataType)).map((t) => makeNode('Cast', [t.name], [rename(t.name)], `${t.name}/to_float32`, { to: DataType.FLOAT }))
    : [];
  return {
    ...g,
    nodes: [...casts, ...nodes],
    initializers: top ? g.initializers : g.initializers.map(widenTensor),
    // A half initializer also listed as a graph input (IR < 4 style) keeps its declared half type.
    inputs: g.inputs.map((v) => (top && rename(v.name) !== v.name ? v : widenInfo(v))),
    outputs: g.outputs.map(widenInfo),
    valueInfo: g.valueInfo.map(widenInfo),
  };
}

/** A copy of `model` that computes in float32; the input model is unchanged (and returned as is when it has no half types). */
export function widenHalfPrecision(model: ModelProto): ModelProto {
  if (!hasHalfPrecision(model)) return model;
  const half = new Set(model.graph.initializers.filter((t) => isHalf(t.dataType)).map((t) => t.name));
  const outputs = new Set(model.graph.outputs.map((o) => o.name));
  for (const name of half) {
    if (outputs.has(name)) throw new Error(`initializer '${name}' is also a graph output; a half-precision weight cannot be widened in place there`);
  }
  const rename = (name: string) => (half.has(name) ? `${name}/float32` : name);
  return { ...model, graph: widenGraph(model.graph, rename, true) };
}
