// Rewrites a float32 model to compute in float64: every FLOAT tensor, Cast target, constant and declared
// type becomes DOUBLE. Used to verify gradients against float64 references (PyTorch oracles computed in
// float64) on models deep enough that float32 round-off alone exceeds the tolerance.
import { makeNode } from './attributes';
import { floatsToBytes, tensorToFloat32 } from './tensor-data';
import { Attribute, AttributeType, DataType, Graph, ModelProto, NodeProto, TensorProto, ValueInfo } from './types';

function tensorToDouble(t: TensorProto): TensorProto {
  if (t.dataType !== DataType.FLOAT) return t;
  const { external: _external, ...rest } = t;
  return { ...rest, dataType: DataType.DOUBLE, raw: floatsToBytes(tensorToFloat32(t), DataType.DOUBLE) };
}

function valueInfoToDouble(v: ValueInfo): ValueInfo {
  return v.elemType === DataType.FLOAT ? { ...v, elemType: DataType.DOUBLE } : v;
}

/** Attributes naming an element type: Cast.to, EyeLike/Random*.dtype. */
const dtypeAttributes = new Set(['to', 'dtype']);

function attributeToDouble(a: Attribute, node: NodeProto): Attribute {
  if (a.type === AttributeType.INT && dtypeAttributes.has(a.name) && a.i === DataType.FLOAT) return { ...a, i: DataType.DOUBLE };
  if (a.type === AttributeType.TENSOR && a.t) return { ...a, t: tensorToDouble(a.t) };
  if (a.type === AttributeType.GRAPH && a.g) return { ...a, g: graphToDouble(a.g) };
  if (a.type === AttributeType.GRAPHS && a.graphs) return { ...a, graphs: a.graphs.map(graphToDouble) };
  if (node.opType === 'Constant' && (a.name === 'value_float' || a.name === 'value_floats')) {
    const values = a.name === 'value_float' ? [a.f ?? 0] : (a.floats ?? []);
    const dims = a.name === 'value_float' ? [] : [values.length];
    return {
      name: 'value',
      type: AttributeType.TENSOR,
      t: { name: '', dims, dataType: DataType.DOUBLE, raw: floatsToBytes(values, DataType.DOUBLE) },
    };
  }
  return a;
}

/**
 * Ops whose ONNX Runtime CPU kernels exist for float32 only (probed on onnxruntime-node 1.x with a
 * one-node float64 model each; Gelu, HardSwish and Mish expand into Erf, HardSigmoid and Softplus): they run
 * in float32 between Casts, elementwise, so the local round-off stays at float32's 6e-8. Their gradient
 * rules then see float32 operands too, so the float32-only ops a rule emits (Gelu′ uses Erf) run in float32.
 */
export const float32OnlyOps: ReadonlySet<string> = new Set([
  'Acos', 'Acosh', 'Asin', 'Asinh', 'Atan', 'Atanh', 'Cosh', 'Sinh', 'Tan',
  'Elu', 'Erf', 'Gelu', 'HardSigmoid', 'HardSwish', 'LeakyRelu', 'Mish', 'PRelu', 'Selu', 'Softplus', 'Softsign',
  'ThresholdedRelu', 'Mean',
]);

function wrapInFloat32(n: NodeProto): NodeProto[] {
  const casts = n.inputs.map((input, i) =>
    input ? makeNode('Cast', [input], [`${n.outputs[0]}/float32_in${i}`], `${n.name}/to_float32_${i}`, { to: DataType.FLOAT }) : undefined,
  );
  const y32 = `${n.outputs[0]}/float32_out`;
  return [
    ...casts.filter((c): c is NodeProto => !!c),
    { ...n, inputs: n.inputs.map((input, i) => (casts[i] ? casts[i]!.outputs[0] : input)), outputs: [y32, ...n.outputs.slice(1)] },
    makeNode('Cast', [y32], [n.outputs[0]], `${n.name}/to_float64`, { to: DataType.DOUBLE }),
  ];
}

function graphToDouble(g: Graph): Graph {
  return {
    ...g,
    initializers: g.initializers.map(tensorToDouble),
    nodes: g.nodes.flatMap((n) => {
      const converted = { ...n, attributes: n.attributes.map((a) => attributeToDouble(a, n)) };
      return float32OnlyOps.has(n.opType) && !n.domain ? wrapInFloat32(converted) : [converted];
    }),
    inputs: g.inputs.map(valueInfoToDouble),
    outputs: g.outputs.map(valueInfoToDouble),
    valueInfo: g.valueInfo.map(valueInfoToDouble),
  };
}

export function convertModelToFloat64(model: ModelProto): ModelProto {
  return { ...model, graph: graphToDouble(model.graph) };
}
