// HASI step 1 inside the graph: for each target MatMul, expose Σ_tokens x·xᵀ = XᵀX over the tokens whose mask
// is 1, plus the token count, as graph outputs. The caller sums both over the preview batches and divides:
// C_t = (Σ XᵀX) / (Σ n_tokens). The activations never leave ONNX Runtime; only d_in×d_in comes back.
//   m = Reshape(Cast(mask), [-1, 1])             [b·s, 1]
//   Xm = Reshape(Cast(X), [-1, d_in]) ⊙ m        [b·s, d_in]   (0/1 mask: Xmᵀ·Xm keeps only counted tokens)
//   XtX = Transpose(Xm)·Xm                        [d_in, d_in]
import { makeNode } from '../onnx/attributes';
import { makeTensor } from '../onnx/tensor-data';
import { DataType, ModelProto, NodeProto, TensorProto, ValueInfo } from '../onnx/types';

export interface CovarianceTarget {
  /** Module name, used in output names `preview/<name>/xtx`. */
  name: string;
  /** The tensor multiplied by the module's weight (the MatMul's activation input), [..., d_in]. */
  input: string;
  dIn: number;
}

export interface CovarianceGraph {
  model: ModelProto;
  /** module name → output name of its XᵀX [d_in, d_in]. */
  outputs: Map<string, string>;
  /** Scalar output: the number of counted tokens in the batch. */
  tokens: string;
}

/** `mask` is a graph input [b, s] of 0/1 (any numeric type); `accumulate` is FLOAT (default) or DOUBLE. */
export function appendCovarianceOutputs(
  model: ModelProto,
  targets: readonly CovarianceTarget[],
  mask: string,
  accumulate: DataType = DataType.FLOAT,
): CovarianceGraph {
  const g = model.graph;
  if (!g.inputs.some((i) => i.name === mask)) throw new Error(`appendCovarianceOutputs: mask '${mask}' is not a graph input (inputs: ${g.inputs.map((i) => i.name).join(', ')})`);
  const produced = new Set([...g.inputs.map((i) => i.name), ...g.initializers.map((t) => t.name), ...g.nodes.flatMap((n) => n.outputs)]);
  const nodes: NodeProto[] = [];
  const initializers: TensorProto[] = [];
  const node = (op: string, inputs: string[], output: string, attrs: Record<string, number | number[]> = {}) => {
    nodes.push(makeNode(op, inputs, [output], `${output}/${op}`, attrs));
    return output;
  };
  const shape = (name: string, dims: number[]) => {
    initializers.push(makeTensor(name, [dims.length], DataType.INT64, dims));
    return name;
  };
  const flatMask = node('Reshape', [node('Cast', [mask], 'preview/mask_float', { to: accumulate }), shape('preview/mask_shape', [-1, 1])], 'preview/mask_column');
  const tokens = node('ReduceSum', [flatMask], 'preview/tokens', { keepdims: 0 });
  const outputs = new Map<string, string>();
  const outputInfos: ValueInfo[] = [{ name: tokens, elemType: accumulate, shape: [] }];
  for (const t of targets) {
    if (!produced.has(t.input)) throw new Error(`appendCovarianceOutputs: module '${t.name}': tensor '${t.input}' is not produced by the graph; give the MatMul's activation input`);
    const p = `preview/${t.name}`;
    const x = node('Reshape', [node('Cast', [t.input], `${p}/x_float`, { to: accumulate }), shape(`${p}/x_shape`, [-1, t.dIn])], `${p}/x_rows`);
    const masked = node('Mul', [x, flatMask], `${p}/x_masked`);
    const xtx = node('MatMul', [node('Transpose', [masked], `${p}/x_masked_t`, { perm: [1, 0] }), masked], `${p}/xtx`);
    outputs.set(t.name, xtx);
    outputInfos.push({ name: xtx, elemType: accumulate, shape: [{ value: t.dIn }, { value: t.dIn }] });
  }
  const graph = { ...g, nodes: [...g.nodes, ...nodes], initializers: [...g.initializers, ...initializers], outputs: [...g.outputs, ...outputInfos] };
  return { model: { ...model, graph }, outputs, tokens };
}
