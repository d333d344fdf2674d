// The SPR loss of spr.ts appended to an ONNX graph, so that L_SPR and its gradient (via buildGradientGraph)
// come out of the same session run as the task loss. A is [r, d_in] and B is [d_out, r] (PEFT layout).
// Per module, with R task rows/columns at offset o (the task blocks are contiguous, cooperative excluded):
//   Â = A[o:o+R] / (√ReduceSumSquare(rows) + 1e-8)        [R, d_in]
//   G_A = Â·Âᵀ                                               [R, R]
//   term_A = ReduceSumSquare(G_A ⊙ U)                        U[p,q] = 1 iff block(p) < block(q)
// Masking the Gram matrix with U sums exactly ‖Â_i·Â_jᵀ‖_F² over i < j, with no cancellation, in one MatMul.
// Likewise B̂ (column norms), G_B = B̂ᵀ·B̂. L = (1/M)·Σ_modules (term_A + term_B).
// Ops: Slice, ReduceSumSquare, Sqrt, Add, Div, Transpose, MatMul, Mul, Sum — all have gradient rules.
import { makeNode } from '../onnx/attributes';
import { makeTensor } from '../onnx/tensor-data';
import { DataType, ModelProto, NodeProto, TensorProto } from '../onnx/types';
import { BlockMap, taskBlocksOf } from './block-map';
import { SprSides, sprNormEpsilon } from './spr';

export interface SprGraphModule {
  /** Module name, used in node names (`spr/<name>/…`). */
  name: string;
  /** Graph input or initializer holding A [r, d_in]. */
  aInput: string;
  /** Graph input or initializer holding B [d_out, r]. */
  bInput: string;
  blocks: BlockMap;
}

export interface SprGraphOptions {
  sides?: SprSides;
  /** Float type of A and B (default FLOAT). */
  dtype?: DataType;
  /** Name of the scalar loss tensor (default 'spr_loss'). */
  output?: string;
}

export interface SprGraph {
  model: ModelProto;
  /** The scalar L_SPR tensor. */
  loss: string;
}

function opsetOf(model: ModelProto): number {
  return model.opsetImports.find((o) => o.domain === '' || o.domain === 'ai.onnx')?.version ?? 0;
}

/** U[p, q] = 1 when row p belongs to an earlier task block than row q. */
export function upperBlockMask(sizes: readonly number[]): number[] {
  const owner = sizes.flatMap((n, t) => Array<number>(n).fill(t));
  const r = owner.length;
  const mask = new Array<number>(r * r).fill(0);
  for (let p = 0; p < r; p++) for (let q = 0; q < r; q++) if (owner[p] < owner[q]) mask[p * r + q] = 1;
  return mask;
}

export function appendSprLoss(model: ModelProto, modules: readonly SprGraphModule[], options: SprGraphOptions = {}): SprGraph {
  const sides = options.sides ?? 'both';
  const dtype = options.dtype ?? DataType.FLOAT;
  const loss = options.output ?? 'spr_loss';
  const opset = opsetOf(model);
  if (opset < 13) throw new Error(`appendSprLoss: the model imports opset ${opset}; SPR needs opset ≥ 13 (Slice with inputs, ReduceSumSquare)`);
  const nodes: NodeProto[] = [];
  const initializers: TensorProto[] = [];
  const constant = (name: string, dims: number[], type: DataType, values: number[]) => {
    initializers.push(makeTensor(name, dims, type, values));
    return name;
  };
  const node = (op: string, inputs: string[], output: string, attrs: Record<string, number | number[]> = {}) => {
    nodes.push(makeNode(op, inputs, [output], `${output}/${op}`, attrs));
    return output;
  };
  // ReduceSumSquare took `axes` as an attribute up to opset 17 and as an input from opset 18.
  const sumSquares = (x: string, axes: number[] | undefined, keepdims: number, out: string) =>
    opset >= 18 && axes
      ? node('ReduceSumSquare', [x, constant(`${out}/axes`, [axes.length], DataType.INT64, axes)], out, { keepdims })
      : node('ReduceSumSquare', [x], out, axes ? { axes, keepdims } : { keepdims });
  const eps = constant('spr/norm_epsilon', [], dtype, [sprNormEpsilon]);

  // side 'A': normalize rows (axis 1 is the feature axis), Gram Â·Âᵀ; side 'B': columns (axis 0), Gram B̂ᵀ·B̂.
  const sideTerm = (p: string, input: string, side: 'A' | 'B', start: number, end: number, mask: string): string => {
    const taskAxis = side === 'A' ? 0 : 1;
    const int = (n: string, v: number) => constant(`${p}/${side}_slice_${n}`, [1], DataType.INT64, [v]);
    const task = node('Slice', [input, int('starts', start), int('ends', end), int('axes', taskAxis)], `${p}/${side}_task`);
    const ss = sumSquares(task, [1 - taskAxis], 1, `${p}/${side}_sumsq`);
    const norm = node('Add', [node('Sqrt', [ss], `${p}/${side}_norm`), eps], `${p}/${side}_norm_eps`);
    const hat = node('Div', [task, norm], `${p}/${side}_hat`);
    const hatT = node('Transpose', [hat], `${p}/${side}_hat_t`, { perm: [1, 0] });
    const gram = side === 'A' ? node('MatMul', [hat, hatT], `${p}/${side}_gram`) : node('MatMul', [hatT, hat], `${p}/${side}_gram`);
    const masked = node('Mul', [gram, mask], `${p}/${side}_cross`);
    return sumSquares(masked, undefined, 0, `${p}/${side}_term`);
  };

  const terms: string[] = [];
  for (const m of modules) {
    const tasks = taskBlocksOf(m.blocks);
    if (tasks.length < 2) continue;
    const sizes = tasks.map((t) => t.rank);
    const start = tasks[0].offset;
    const end = start + sizes.reduce((a, b) => a + b, 0);
    const p = `spr/${m.name}`;
    const mask = constant(`${p}/pair_mask`, [end - start, end - start], dtype, upperBlockMask(sizes));
    if (sides !== 'B') terms.push(sideTerm(p, m.aInput, 'A', start, end, mask));
    if (sides !== 'A') terms.push(sideTerm(p, m.bInput, 'B', start, end, mask));
  }
  if (terms.length === 0) {
    throw new Error(`appendSprLoss: no module has two or more task blocks, so L_SPR ≡ 0; with a single task set lambda = 0 instead of adding SPR`);
  }
  const total = node('Sum', terms, 'spr/sum');
  node('Mul', [total, constant('spr/inverse_module_count', [], dtype, [1 / modules.length])], loss);
  const graph = { ...model.graph, nodes: [...model.graph.nodes, ...nodes], initializers: [...model.graph.initializers, ...initializers] };
  return { model: { ...model, graph }, loss };
}
