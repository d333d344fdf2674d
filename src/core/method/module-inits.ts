// One method's initial adapter for one module (design §1, §6), all in PEFT orientation: W d_out×d_in,
// A [r, d_in], B [d_out, r], s = alpha/r. Block order follows thanora/block-map.ts: task blocks first and
// contiguous in task order, then the cooperative block (what spr-graph.ts assumes).
//   lora   : A Kaiming-uniform, B = 0, no residual.
//   pissa  : top-r SVD of W, all r as one 'principal' block, residual.
//   corda  : top-r SVD of W·C (C pooled over tasks), one 'principal' block, residual.
//   olora  : thin QR of W, B = Q_r, A = R_r (PEFT's olora_init, without a 1/√s), one 'principal' block, residual.
//   lora_ga: SVD of the estimated gradient G = ∂L/∂W, A = ζ·V[:, :r]ᵀ, B = ζ·U[:, r:2r], one 'principal' block,
//            residual (the LoRA-GA authors' init; docs/thanora-method.md §6).
//   thanora: HASI task blocks + cooperative block (hasi.ts), residual of the task blocks.
import { Matrix, matmulTransposeA, scale, scaleColumns, sliceCols, sliceRows, transpose, zeros } from '../linalg/matrix';
import { qr } from '../linalg/qr';
import { kaimingUniformLoraA, seededRng } from '../linalg/random';
import { MatmulFn, denseOperator, randomizedSvd } from '../linalg/randomized-svd';
import { svd } from '../linalg/svd';
import { cordaInit } from '../thanora/baselines';
import { BlockMap } from '../thanora/block-map';
import { HasiModuleInput, HasiOptions, hasiModules } from '../thanora/hasi';

export interface ModuleInit {
  name: string;
  /** r×d_in */
  a: Matrix;
  /** d_out×r */
  b: Matrix;
  blocks: BlockMap;
  scaling: number;
  /** HASI's allocation behind the blocks (thanora only). */
  entropies?: number[];
}

/** Modules at or below this min(d_in, d_out) get an exact SVD in JS, larger ones a randomized SVD. */
export const exactSvdMaxDim = 512;

// FNV-1a of the module name: a per-module seed that does not depend on the order modules are initialized in.
export function moduleSeed(name: string, seed: number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

export function loraModule(name: string, dIn: number, dOut: number, rank: number, alpha: number, seed: number): ModuleInit {
  const a = kaimingUniformLoraA(rank, dIn, seededRng(moduleSeed(name, seed)));
  return { name, a, b: zeros(dOut, rank), blocks: { rank, blocks: [{ kind: 'cooperative', offset: 0, rank }] }, scaling: alpha / rank };
}

// W ≈ U_r·Σ_r·V_rᵀ ⇒ B = U_r·Σ_r^{1/2}/√s, A = Σ_r^{1/2}·V_rᵀ/√s, so s·B·A = U_r·Σ_r·V_rᵀ (as thanora/baselines.ts
// pissaInit, with a randomized SVD for large modules).
export async function pissaModule(name: string, w: Matrix, rank: number, alpha: number, seed: number, matmul?: MatmulFn): Promise<ModuleInit> {
  const scaling = alpha / rank;
  const f = Math.min(w.rows, w.cols) <= exactSvdMaxDim ? svd(w, rank) : await randomizedSvd(denseOperator(w, matmul), rank, { seed: moduleSeed(name, seed) });
  const root = Float64Array.from(f.s.subarray(0, rank), (x) => Math.sqrt(x / scaling));
  const b = scaleColumns(sliceCols(f.u, 0, rank), root);
  const a = transpose(scaleColumns(sliceCols(f.v, 0, rank), root));
  return { name, a, b, blocks: { rank, blocks: [{ kind: 'principal', offset: 0, rank }] }, scaling };
}

// W = Q·R (Q orthonormal columns, R upper triangular or, for a wide W, upper trapezoidal) ⇒ B = Q[:, :r],
// A = R[:r, :], and s·B·A is subtracted from W as PEFT does. A wide W (d_out < d_in) is factored through its
// square left block: W[:, :d_out] = Q·R₁ with Q square orthogonal, so R = Qᵀ·W and R[:, :d_out] = R₁.
function wideQr(w: Matrix): { q: Matrix; r: Matrix } {
  const { q } = qr(sliceCols(w, 0, w.rows));
  return { q, r: matmulTransposeA(q, w) };
}

export function oloraModule(name: string, w: Matrix, rank: number, alpha: number): ModuleInit {
  const { q, r } = w.rows >= w.cols ? qr(w) : wideQr(w);
  return { name, a: sliceRows(r, 0, rank), b: sliceCols(q, 0, rank), blocks: { rank, blocks: [{ kind: 'principal', offset: 0, rank }] }, scaling: alpha / rank };
}

/** LoRA-GA's γ in ζ = d_out^{1/4}/√γ (the authors' and PEFT's default `stable_gamma`). */
export const loraGaStableGamma = 16;

// LoRA-GA (Wang et al. 2024, Algorithm 1, and the authors' lora_ga_init with direction "ArB2r", scale "stable"):
// G = U·S·Vᵀ ⇒ A = ζ·V[:, 1..r]ᵀ, B = ζ·U[:, r+1..2r], ζ = d_out^{1/4}/√γ, so that the first step of
// (B, A) moves s·B·A along G's top 2r directions while the output's scale does not depend on d_out. S is not
// used (PEFT ≥ 0.19's lora_ga multiplies B by S[r:2r] and ζ only on B; we follow the paper). W − s·B·A is the
// residual the model trains on. 2r ≤ min(d_in, d_out) directions are needed.
export async function loraGaModule(name: string, grad: Matrix, rank: number, alpha: number, seed: number, matmul?: MatmulFn): Promise<ModuleInit> {
  const k = 2 * rank;
  if (k > Math.min(grad.rows, grad.cols)) {
    throw new Error(`lora_ga: module '${name}' (d_out ${grad.rows}, d_in ${grad.cols}) has fewer than 2r = ${k} gradient directions; lower lora.r to ${Math.floor(Math.min(grad.rows, grad.cols) / 2)} or leave the module out of lora.targets`);
  }
  if (!grad.data.some((x) => x !== 0)) {
    throw new Error(`lora_ga: the estimated gradient of module '${name}' is zero (no labelled tokens reach it); LoRA-GA has no direction to start from`);
  }
  // Above exactSvdMaxDim a randomized SVD over 4r directions with 4 power iterations, as the authors'
  // svd_lowrank(q = 4r, niter = 4): gradients have no sharp rank, so r+1..2r needs the extra sharpening.
  const f =
    Math.min(grad.rows, grad.cols) <= exactSvdMaxDim
      ? svd(grad, k)
      : await randomizedSvd(denseOperator(grad, matmul), k, { seed: moduleSeed(name, seed), oversampling: k, powerIterations: 4 });
  const zeta = grad.rows ** 0.25 / Math.sqrt(loraGaStableGamma);
  const a = scale(transpose(sliceCols(f.v, 0, rank)), zeta);
  const b = scale(sliceCols(f.u, rank, k), zeta);
  return { name, a, b, blocks: { rank, blocks: [{ kind: 'principal', offset: 0, rank }] }, scaling: alpha / rank };
}

export interface CordaModuleOptions {
  epsilon: number;
  entropyRank?: number;
  tokenCounts: readonly number[];
  matmul?: MatmulFn;
}

// CorDA as the paper defines it (γ = 1): the context SVD of W·C with C pooled over all tasks, weighted by each
// task's counted tokens, i.e. C = Σ_t XₜᵀXₜ / Σ_t nₜ over the union of the preview data.
export async function cordaModule(name: string, w: Matrix, covariances: Matrix[], rank: number, alpha: number, o: CordaModuleOptions): Promise<ModuleInit> {
  const init = await cordaInit(w, covariances, rank, alpha, {
    epsilon: o.epsilon,
    entropyRank: o.entropyRank,
    tokenCounts: o.tokenCounts,
    matmul: o.matmul,
    exactSvdMaxDim,
  });
  return { name, a: init.a, b: init.b, blocks: init.blocks, scaling: init.scaling };
}

/** HASI for one allocation group (a module, or all modules of a layer for allocation 'layer'). */
export async function thanoraModules(inputs: readonly HasiModuleInput[], options: HasiOptions): Promise<ModuleInit[]> {
  const results = await hasiModules(inputs, { ...options, exactSvdMaxDim });
  return results.map((r) => ({ name: r.name, a: r.a, b: r.b, blocks: r.blocks, scaling: r.scaling, entropies: r.entropies }));
}
