// HASI step 6: the CorDA-style task blocks and the cooperative block.
// W·C = U·Σ·Vᵀ ⇒ W = U·Σ·Ṽᵀ with Ṽ = C⁻¹·V (C symmetric). With scale s = alpha/r and gamma γ:
//   B_t = √(γ/s)·U_k·Σ_k^{1/2}  (d_out×k),  A_t = √(γ/s)·Σ_k^{1/2}·Ṽ_kᵀ  (k×d_in)  ⇒  s·B_t·A_t = γ·U_k·Σ_k·Ṽ_kᵀ.
import { choleskySolve } from '../linalg/cholesky';
import { Matrix, scaleColumns, sliceCols, transpose, zeros } from '../linalg/matrix';
import { Rng, kaimingUniformLoraA } from '../linalg/random';
import { TaskContext } from './context-svd';

export interface LoraBlock {
  /** k×d_in */
  a: Matrix;
  /** d_out×k */
  b: Matrix;
}

export function taskBlock(ctx: TaskContext, k: number, scaling: number, gamma = 1): LoraBlock {
  if (k > ctx.s.length) throw new RangeError(`taskBlock: rank ${k} requested but the context SVD kept only ${ctx.s.length} triples`);
  if (!(scaling > 0)) throw new RangeError(`taskBlock: scaling s = alpha/r must be > 0, got ${scaling}`);
  const factor = Math.sqrt(gamma / scaling);
  const root = Float64Array.from(ctx.s.subarray(0, k), (x) => factor * Math.sqrt(x));
  const vTilde = choleskySolve(ctx.factor, sliceCols(ctx.v, 0, k));
  return { a: transpose(scaleColumns(vTilde, root)), b: scaleColumns(sliceCols(ctx.u, 0, k), root) };
}

// PEFT's default LoRA init for the shared block: A_c ~ U(−1/√d_in, 1/√d_in), B_c = 0 (so it starts at ΔW = 0).
export function cooperativeBlock(rank: number, dIn: number, dOut: number, rng: Rng): LoraBlock {
  return { a: kaimingUniformLoraA(rank, dIn, rng), b: zeros(dOut, rank) };
}
