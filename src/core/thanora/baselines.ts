// The baselines of §6 in the same engine, each returning A [r, d_in], B [d_out, r], the block map and the
// frozen base weight to train against (W itself for lora, the residual W − s·B·A for pissa/corda).
//   lora : A Kaiming-uniform (PEFT default), B = 0.
//   pissa: W = U·Σ·Vᵀ, B = U_r·Σ_r^{1/2}/√s, A = Σ_r^{1/2}·V_rᵀ/√s ⇒ s·B·A = U_r·Σ_r·V_rᵀ.
//   corda: one CorDA block of rank r from the pooled covariance C = Σ_t n_t·C_t / Σ_t n_t (HASI step 6, one task).
import { Matrix, add, scale, scaleColumns, sliceCols, subtract, transpose, zeros } from '../linalg/matrix';
import { kaimingUniformLoraA, seededRng } from '../linalg/random';
import { svd } from '../linalg/svd';
import { BlockMap } from './block-map';
import { ContextSvdOptions, analyseTaskContext } from './context-svd';
import { scaledDelta } from './residual';
import { taskBlock } from './task-blocks';

export interface BaselineInit {
  a: Matrix;
  b: Matrix;
  blocks: BlockMap;
  /** The frozen weight the adapter is added to, d_out×d_in. */
  base: Matrix;
  scaling: number;
}

export function loraInit(weight: Matrix, rank: number, alpha: number, seed = 0): BaselineInit {
  const a = kaimingUniformLoraA(rank, weight.cols, seededRng(seed));
  return { a, b: zeros(weight.rows, rank), blocks: { rank, blocks: [{ kind: 'cooperative', offset: 0, rank }] }, base: weight, scaling: alpha / rank };
}

export function pissaInit(weight: Matrix, rank: number, alpha: number): BaselineInit {
  const scaling = alpha / rank;
  const f = svd(weight, rank);
  const root = Float64Array.from(f.s, (x) => Math.sqrt(x / scaling));
  const b = scaleColumns(sliceCols(f.u, 0, rank), root);
  const a = transpose(scaleColumns(sliceCols(f.v, 0, rank), root));
  return { a, b, blocks: { rank, blocks: [{ kind: 'principal', offset: 0, rank }] }, base: subtract(weight, scaledDelta(b, a, scaling)), scaling };
}

/** Pooled covariance; `tokenCounts` weight each task by its previewed tokens (default: equal weights). */
export function pooledCovariance(covariances: readonly Matrix[], tokenCounts?: readonly number[]): Matrix {
  if (covariances.length === 0) throw new Error('pooledCovariance: no task covariances');
  const weights = tokenCounts ?? covariances.map(() => 1);
  if (weights.length !== covariances.length) throw new Error(`pooledCovariance: ${weights.length} token counts for ${covariances.length} covariances`);
  const total = weights.reduce((a, b) => a + b, 0);
  let pooled = zeros(covariances[0].rows, covariances[0].cols);
  covariances.forEach((c, t) => (pooled = add(pooled, scale(c, weights[t] / total))));
  return pooled;
}

export async function cordaInit(
  weight: Matrix,
  covariances: readonly Matrix[],
  rank: number,
  alpha: number,
  options: Omit<ContextSvdOptions, 'keep'> & { gamma?: number; tokenCounts?: readonly number[] } = {},
): Promise<BaselineInit> {
  const scaling = alpha / rank;
  const ctx = await analyseTaskContext(weight, pooledCovariance(covariances, options.tokenCounts), { ...options, keep: rank }, 'corda pooled covariance');
  const { a, b } = taskBlock(ctx, weight, rank, scaling, options.gamma ?? 1);
  return { a, b, blocks: { rank, blocks: [{ kind: 'principal', offset: 0, rank }] }, base: subtract(weight, scaledDelta(b, a, scaling)), scaling };
}
