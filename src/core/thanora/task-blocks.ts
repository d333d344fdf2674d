// HASI step 6: the CorDA-style task blocks and the cooperative block.
// W·C = U·Σ·Vᵀ ⇒ W = U·Σ·Ṽᵀ with Ṽ = C⁻¹·V (C symmetric), and Ṽ_kᵀ = Σ_k⁻¹·U_kᵀ·W (context-svd.ts).
// With scale s = alpha/r and gamma γ:
//   B_t = √(γ/s)·U_k·Σ_k^{1/2}  (d_out×k),  A_t = √(γ/s)·Σ_k^{1/2}·Ṽ_kᵀ = √(γ/s)·Σ_k^{−1/2}·U_kᵀ·W  (k×d_in)
//   ⇒  s·B_t·A_t = γ·U_k·U_kᵀ·W, the part of W in the task's top-k context directions.
import { Matrix, matmulTransposeA, scaleColumns, scaleRows, sliceCols, zeros } from '../linalg/matrix';
import { Rng, kaimingUniformLoraA } from '../linalg/random';
import { TaskContext } from './context-svd';

export interface LoraBlock {
  /** k×d_in */
  a: Matrix;
  /** d_out×k */
  b: Matrix;
}

export function taskBlock(ctx: TaskContext, weight: Matrix, k: number, scaling: number, gamma = 1): LoraBlock {
  if (k > ctx.u.cols) throw new RangeError(`taskBlock: rank ${k} requested but the context SVD kept only ${ctx.u.cols} singular vectors`);
  if (!(scaling > 0)) throw new RangeError(`taskBlock: scaling s = alpha/r must be > 0, got ${scaling}`);
  const factor = Math.sqrt(gamma / scaling);
  const sigma = ctx.s.subarray(0, k);
  const uk = sliceCols(ctx.u, 0, k);
  // A zero σ (a direction the task never excites) gets zero rows and columns, not a division by zero.
  const a = scaleRows(matmulTransposeA(uk, weight), Float64Array.from(sigma, (x) => (x > 0 ? factor / Math.sqrt(x) : 0)));
  return { a, b: scaleColumns(uk, Float64Array.from(sigma, (x) => factor * Math.sqrt(x))) };
}

// PEFT's default LoRA init for the shared block: A_c ~ U(−1/√d_in, 1/√d_in), B_c = 0 (so it starts at ΔW = 0).
export function cooperativeBlock(rank: number, dIn: number, dOut: number, rng: Rng): LoraBlock {
  return { a: kaimingUniformLoraA(rank, dIn, rng), b: zeros(dOut, rank) };
}
