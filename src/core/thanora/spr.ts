// Subspace-preserving regularization, the JS oracle (design §2):
//   L_SPR = (1/M) Σ_modules Σ_{i<j} ( ‖Â_i·Â_jᵀ‖_F² + ‖B̂_iᵀ·B̂_j‖_F² )
// Â_t: A_t [r_t, d_in] with each row divided by (‖row‖ + 1e-8); B̂_t: B_t [d_out, r_t] with each column divided
// by (‖column‖ + 1e-8). The cooperative block is excluded. spr-graph.ts builds the same loss in ONNX.
import { Matrix, matmul, matmulTransposeA, matmulTransposeB, sliceCols, sliceRows, transpose, zeros } from '../linalg/matrix';
import { BlockMap, taskBlocksOf } from './block-map';

export type SprSides = 'both' | 'A' | 'B';
export const sprNormEpsilon = 1e-8;

export interface SprModule {
  /** r×d_in */
  a: Matrix;
  /** d_out×r */
  b: Matrix;
  blocks: BlockMap;
}

export interface SprResult {
  value: number;
  /** ∂L/∂A and ∂L/∂B per module (zero outside the task blocks). */
  gradA: Matrix[];
  gradB: Matrix[];
}

interface RowNormalized {
  hat: Matrix;
  norms: Float64Array;
}

function normalizeRows(x: Matrix): RowNormalized {
  const hat = zeros(x.rows, x.cols);
  const norms = new Float64Array(x.rows);
  for (let i = 0; i < x.rows; i++) {
    let s = 0;
    for (let j = 0; j < x.cols; j++) s += x.data[i * x.cols + j] ** 2;
    norms[i] = Math.sqrt(s);
    for (let j = 0; j < x.cols; j++) hat.data[i * x.cols + j] = x.data[i * x.cols + j] / (norms[i] + sprNormEpsilon);
  }
  return { hat, norms };
}

// Back through x̂ = x/(n + δ), n = ‖x‖, per row:  ∂L/∂x = g/(n + δ) − x·(xᵀg)/(n·(n + δ)²)  (second term 0 at n = 0).
function normalizeRowsBackward(x: Matrix, norms: Float64Array, gHat: Matrix): Matrix {
  const g = zeros(x.rows, x.cols);
  for (let i = 0; i < x.rows; i++) {
    const n = norms[i];
    const d = n + sprNormEpsilon;
    let dot = 0;
    for (let j = 0; j < x.cols; j++) dot += x.data[i * x.cols + j] * gHat.data[i * x.cols + j];
    const radial = n > 0 ? dot / (n * d * d) : 0;
    for (let j = 0; j < x.cols; j++) g.data[i * x.cols + j] = gHat.data[i * x.cols + j] / d - radial * x.data[i * x.cols + j];
  }
  return g;
}

// Σ_{i<j} ‖X̂_i·X̂_jᵀ‖_F² over row blocks of the normalized task rows X̂ [R, d], with its gradient:
// P = X̂_i·X̂_jᵀ ⇒ ∂/∂X̂_i = 2·P·X̂_j, ∂/∂X̂_j = 2·Pᵀ·X̂_i.
function rowBlockOverlap(taskRows: Matrix, sizes: readonly number[]): { value: number; grad: Matrix } {
  const { hat, norms } = normalizeRows(taskRows);
  const gHat = zeros(hat.rows, hat.cols);
  const offsets = sizes.map((_, k) => sizes.slice(0, k).reduce((a, b) => a + b, 0));
  const blocks = sizes.map((n, k) => sliceRows(hat, offsets[k], offsets[k] + n));
  let value = 0;
  for (let i = 0; i < blocks.length; i++) {
    for (let j = i + 1; j < blocks.length; j++) {
      const p = matmulTransposeB(blocks[i], blocks[j]);
      for (const v of p.data) value += v * v;
      const gi = matmul(p, blocks[j]);
      const gj = matmulTransposeA(p, blocks[i]);
      for (let k = 0; k < gi.data.length; k++) gHat.data[offsets[i] * hat.cols + k] += 2 * gi.data[k];
      for (let k = 0; k < gj.data.length; k++) gHat.data[offsets[j] * hat.cols + k] += 2 * gj.data[k];
    }
  }
  return { value, grad: normalizeRowsBackward(taskRows, norms, gHat) };
}

/** SPR value of one module and its gradient (unscaled by 1/M). */
export function sprModule(m: SprModule, sides: SprSides = 'both'): { value: number; gradA: Matrix; gradB: Matrix } {
  const tasks = taskBlocksOf(m.blocks);
  const sizes = tasks.map((t) => t.rank);
  const gradA = zeros(m.a.rows, m.a.cols);
  const gradB = zeros(m.b.rows, m.b.cols);
  let value = 0;
  if (tasks.length < 2) return { value, gradA, gradB };
  // The task blocks are contiguous from row/column offset `start` (block-map.ts puts them first).
  const start = tasks[0].offset;
  const end = start + sizes.reduce((a, b) => a + b, 0);
  if (sides !== 'B') {
    const r = rowBlockOverlap(sliceRows(m.a, start, end), sizes);
    value += r.value;
    gradA.data.set(r.grad.data, start * m.a.cols);
  }
  if (sides !== 'A') {
    // ‖B̂_iᵀ·B̂_j‖ is the row-block overlap of Bᵀ: columns of B are rows of Bᵀ.
    const r = rowBlockOverlap(transpose(sliceCols(m.b, start, end)), sizes);
    value += r.value;
    const g = transpose(r.grad);
    for (let i = 0; i < m.b.rows; i++) for (let j = 0; j < g.cols; j++) gradB.data[i * m.b.cols + start + j] = g.data[i * g.cols + j];
  }
  return { value, gradA, gradB };
}

export function sprLoss(modules: readonly SprModule[], sides: SprSides = 'both'): SprResult {
  const per = modules.map((m) => sprModule(m, sides));
  const inv = modules.length > 0 ? 1 / modules.length : 0;
  const scaleAll = (x: Matrix) => ({ ...x, data: x.data.map((v) => v * inv) });
  return {
    value: per.reduce((acc, p) => acc + p.value, 0) * inv,
    gradA: per.map((p) => scaleAll(p.gradA)),
    gradB: per.map((p) => scaleAll(p.gradB)),
  };
}
