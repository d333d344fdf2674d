// HASI steps 2–4 for one (module, task): damp C_t, take the top-K singular values and the top left singular
// vectors of M_t = W·C_t, and its spectral entropy. W is d_out×d_in (PEFT layout), C_t is d_in×d_in.
// The task blocks need only U_k and Σ_k: with M = U·Σ·Vᵀ and W = M·C⁻¹, Ṽ_kᵀ = V_kᵀ·C⁻¹ = Σ_k⁻¹·U_kᵀ·W
// (task-blocks.ts), so C is never inverted.
//   small modules (min(d_in, d_out) ≤ exactSvdMaxDim): one-sided Jacobi SVD of M in JS (exact to round-off);
//   large ones: the eigenproblem of the smaller Gram matrix, M·Mᵀ (d_out ≤ d_in) or Mᵀ·M, whose eigenvalues
//   are σ²; its top eigenvectors are U_k (or V_k, and U_k = M·V_k·Σ_k⁻¹). The products run through `matmul`.
import { dampCovariance } from '../linalg/cholesky';
import { Matrix, scaleColumns, sliceCols, transpose } from '../linalg/matrix';
import { MatmulFn, jsMatmul } from '../linalg/randomized-svd';
import { svd } from '../linalg/svd';
import { topSymmetricEigen } from '../linalg/top-symmetric-eigen';
import { EntropyOver, spectralEntropy } from './spectral-entropy';

export interface ContextSvdOptions {
  /** Initial damping ε (default 1e-4), raised ×10 until Cholesky succeeds. */
  epsilon?: number;
  /** K of the entropy (default min(d_in, d_out, 256)). */
  entropyRank?: number;
  /** Shares of the entropy over σ (default) or σ². */
  entropyOver?: EntropyOver;
  /** How many left singular vectors to keep for the blocks (≥ the largest r_t; default r). */
  keep: number;
  /** Modules with min(d_in, d_out) up to this get the exact Jacobi SVD (default 512). */
  exactSvdMaxDim?: number;
  /** The heavy products (W·C, Gram matrices, the blocked Cholesky); default JS. */
  matmul?: MatmulFn;
}

export interface TaskContext {
  /** d_out×keep: the top left singular vectors of W·C_t (damped). */
  u: Matrix;
  /** The top max(K, keep) singular values, descending. */
  s: Float64Array;
  epsilon: number;
  entropy: number;
}

export function defaultEntropyRank(dIn: number, dOut: number): number {
  return Math.min(dIn, dOut, 256);
}

// σ and U_keep of M (d_out×d_in) from its smaller Gram matrix.
async function spectrumByGram(m: Matrix, count: number, keep: number, mul: MatmulFn): Promise<{ u: Matrix; s: Float64Array }> {
  const sqrt = (values: Float64Array) => Float64Array.from(values.subarray(0, count), (l) => Math.sqrt(Math.max(l, 0)));
  if (m.rows <= m.cols) {
    const eig = topSymmetricEigen(await mul(m, transpose(m)), keep);
    return { u: eig.vectors, s: sqrt(eig.values) };
  }
  const eig = topSymmetricEigen(await mul(transpose(m), m), keep);
  const s = sqrt(eig.values);
  // U_k = M·V_k·Σ_k⁻¹; a zero σ leaves its column zero (such a direction gets no rank: its A_t row is 0 too).
  const u = scaleColumns(await mul(m, eig.vectors), Float64Array.from(s.subarray(0, keep), (x) => (x > 0 ? 1 / x : 0)));
  return { u, s };
}

export async function analyseTaskContext(w: Matrix, c: Matrix, options: ContextSvdOptions, where = 'module'): Promise<TaskContext> {
  if (c.rows !== w.cols || c.cols !== w.cols) {
    throw new Error(`${where}: covariance is ${c.rows}×${c.cols} but the weight has d_in = ${w.cols} (W is ${w.rows}×${w.cols}, out×in); C must be d_in×d_in`);
  }
  const mul = options.matmul ?? jsMatmul;
  const damped = await dampCovariance(c, mul, options.epsilon ?? 1e-4, 12, `${where} covariance`);
  const minDim = Math.min(w.rows, w.cols);
  const entropyRank = Math.min(options.entropyRank ?? defaultEntropyRank(w.cols, w.rows), minDim);
  const keep = Math.min(options.keep, minDim);
  const count = Math.min(Math.max(entropyRank, keep), minDim);
  // M = W·(C + shift·I) = W·C + shift·W
  const m = await mul(w, c);
  for (let i = 0; i < m.data.length; i++) m.data[i] += damped.shift * w.data[i];
  const f = minDim <= (options.exactSvdMaxDim ?? 512) ? svd(m, count) : await spectrumByGram(m, count, keep, mul);
  const u = f.u.cols === keep ? f.u : sliceCols(f.u, 0, keep);
  return { u, s: f.s.subarray(0, count), epsilon: damped.epsilon, entropy: spectralEntropy(f.s.subarray(0, entropyRank), entropyRank, options.entropyOver) };
}
