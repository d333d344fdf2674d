// HASI steps 2–4 for one (module, task): damp C_t, take the top-K SVD of M_t = W·C_t and its spectral entropy.
// W is d_out×d_in (PEFT layout), C_t is d_in×d_in.
import { dampedCholesky } from '../linalg/cholesky';
import { Matrix, matmul } from '../linalg/matrix';
import { MatmulFn, productWithSymmetricOperator, randomizedSvd } from '../linalg/randomized-svd';
import { svd } from '../linalg/svd';
import { spectralEntropy } from './spectral-entropy';

export type SvdMethod = 'auto' | 'exact' | 'randomized';

export interface ContextSvdOptions {
  /** Initial damping ε (default 1e-4), raised ×10 until Cholesky succeeds. */
  epsilon?: number;
  /** K of the entropy (default min(d_in, d_out, 256)). */
  entropyRank?: number;
  /** How many singular triples to keep for the blocks (≥ the largest r_t; default r). */
  keep: number;
  /** 'auto': exact below `exactSvdMaxDim` (default 512) on min(d_in, d_out), randomized above. */
  svd?: SvdMethod;
  exactSvdMaxDim?: number;
  /** Heavy products of the randomized SVD (default: JS). */
  matmul?: MatmulFn;
  powerIterations?: number;
  seed?: number;
}

export interface TaskContext {
  /** d_out×K', d_in×K' and K' singular values of W·C_t (damped), K' = max(K, keep). */
  u: Matrix;
  s: Float64Array;
  v: Matrix;
  /** Cholesky factor of the damped C_t, for Ṽ = C_t⁻¹·V. */
  factor: Matrix;
  epsilon: number;
  entropy: number;
}

export function defaultEntropyRank(dIn: number, dOut: number): number {
  return Math.min(dIn, dOut, 256);
}

export async function analyseTaskContext(w: Matrix, c: Matrix, options: ContextSvdOptions, where = 'module'): Promise<TaskContext> {
  if (c.rows !== w.cols || c.cols !== w.cols) {
    throw new Error(`${where}: covariance is ${c.rows}×${c.cols} but the weight has d_in = ${w.cols} (W is ${w.rows}×${w.cols}, out×in); C must be d_in×d_in`);
  }
  const damped = dampedCholesky(c, options.epsilon ?? 1e-4, 12, `${where} covariance`);
  const minDim = Math.min(w.rows, w.cols);
  const entropyRank = Math.min(options.entropyRank ?? defaultEntropyRank(w.cols, w.rows), minDim);
  const k = Math.min(Math.max(entropyRank, options.keep), minDim);
  const method = options.svd ?? 'auto';
  const exact = method === 'exact' || (method === 'auto' && minDim <= (options.exactSvdMaxDim ?? 512));
  const f = exact
    ? svd(matmul(w, damped.damped), k)
    : await randomizedSvd(productWithSymmetricOperator(w, damped.damped, options.matmul), k, {
        powerIterations: options.powerIterations,
        seed: options.seed,
      });
  return { u: f.u, s: f.s, v: f.v, factor: damped.factor, epsilon: damped.epsilon, entropy: spectralEntropy(f.s.subarray(0, entropyRank), entropyRank) };
}
