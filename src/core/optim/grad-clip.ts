// Global-norm gradient clipping, as torch.nn.utils.clip_grad_norm_ (L2 norm over all gradients together).
import { ParamMap, paramEntries } from './param-map';

/** ‖g‖ = sqrt(Σ_k Σ_i g_k[i]²), accumulated in float64. */
export function globalGradNorm(grads: ParamMap): number {
  let sumSquares = 0;
  for (const [, g] of paramEntries(grads)) {
    for (let i = 0; i < g.length; i++) sumSquares += g[i] * g[i];
  }
  return Math.sqrt(sumSquares);
}

/**
 * Scales every gradient in place by c = maxNorm / (‖g‖ + 1e-6) when c < 1, and returns ‖g‖ (before clipping).
 * A non-finite norm leaves the gradients untouched (PyTorch would fill them with NaN): the caller should
 * skip the optimizer step.
 */
export function clipGradNorm(grads: ParamMap, maxNorm: number): number {
  if (!(maxNorm > 0)) throw new Error(`clipGradNorm: maxNorm must be > 0, got ${maxNorm}`);
  const norm = globalGradNorm(grads);
  if (!Number.isFinite(norm)) return norm;
  const coefficient = maxNorm / (norm + 1e-6);
  if (coefficient < 1) {
    for (const [, g] of paramEntries(grads)) {
      for (let i = 0; i < g.length; i++) g[i] *= coefficient;
    }
  }
  return norm;
}
