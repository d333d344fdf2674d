// HASI step 1 inside the graph: for each target MatMul, expose Σ_rows x·xᵀ = XᵀX over the rows of its input
// that count, plus how many rows counted, as graph outputs. The caller sums both over the preview batches and
// divides: C_t = (Σ XᵀX) / (Σ n_rows). The activations never leave ONNX Runtime; only d_in×d_in comes back.
// Most modules see one row per token (X [b, s, d_in]); a pooler sees one row per example (X [b, d_in]) and then
// each example counts as one token when any of its positions counts. One formula covers both, with N the
// number of rows of X (b·s or b):
//   X_rows = Reshape(Cast(X), [-1, d_in])                       [N, d_in]
//   m = Sign(ReduceSum(Reshape(Cast(mask), [N, -1]), axis 1))    [N, 1]   (0/1: the row has a counted position)
//   Xm = X_rows ⊙ m;  XtX = Xmᵀ·Xm  [d_in, d_in];  n_rows = Σ m
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
  /** module name → scalar output: how many rows of its input counted (tokens, or examples for a pooler). */
  rows: Map<string, string>;
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
  const maskFloat = node('Cast', [mask], 'preview/mask_float', { to: accumulate });
  const tokens = node('ReduceSum', [maskFloat], 'preview/tokens', { keepdims: 0 });
  // ReduceSum takes its axes as an input from opset 13, as an attribute before.
  const opset = model.opsetImports.find((o) => o.domain === '' || o.domain === 'ai.onnx')?.version ?? 13;
  const sumRows = (x: string, out: string) =>
    opset >= 13 ? node('ReduceSum', [x, shape('preview/axis_1', [1])], out, { keepdims: 1 }) : node('ReduceSum', [x], out, { axes: [1], keepdims: 1 });
  shape('preview/any_width', [-1]);
  const outputs = new Map<string, string>();
  const rows = new Map<string, string>();
  const outputInfos: ValueInfo[] = [{ name: tokens, elemType: accumulate, shape: [] }];
  for (const t of targets) {
    if (!produced.has(t.input)) throw new Error(`appendCovarianceOutputs: module '${t.name}': tensor '${t.input}' is not produced by the graph; give the MatMul's activation input`);
    const p = `preview/${t.name}`;
    const x = node('Reshape', [node('Cast', [t.input], `${p}/x_float`, { to: accumulate }), shape(`${p}/x_shape`, [-1, t.dIn])], `${p}/x_rows`);
    const rowCount = node('Gather', [node('Shape', [x], `${p}/x_rows_shape`), shape(`${p}/first`, [0])], `${p}/n`, { axis: 0 });
    const maskGrid = node('Reshape', [maskFloat, node('Concat', [rowCount, 'preview/any_width'], `${p}/mask_grid_shape`, { axis: 0 })], `${p}/mask_grid`);
    const rowMask = node('Sign', [sumRows(maskGrid, `${p}/mask_row_sums`)], `${p}/mask_rows`);
    const masked = node('Mul', [x, rowMask], `${p}/x_masked`);
    const xtx = node('MatMul', [node('Transpose', [masked], `${p}/x_masked_t`, { perm: [1, 0] }), masked], `${p}/xtx`);
    const counted = node('ReduceSum', [rowMask], `${p}/rows_counted`, { keepdims: 0 });
    outputs.set(t.name, xtx);
    rows.set(t.name, counted);
    outputInfos.push({ name: xtx, elemType: accumulate, shape: [{ value: t.dIn }, { value: t.dIn }] }, { name: counted, elemType: accumulate, shape: [] });
  }
  const graph = { ...g, nodes: [...g.nodes, ...nodes], initializers: [...g.initializers, ...initializers], outputs: [...g.outputs, ...outputInfos] };
  return { model: { ...model, graph }, outputs, rows, tokens };
}
