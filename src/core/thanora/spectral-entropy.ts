// HASI step 4: normalized spectral entropy of the top-K singular values of the context matrix W·C_t.
// H = −Σ_i p_i ln p_i / ln K, p_i = σ_i^q / Σ_j σ_j^q with q = 1 (over σ, the default) or q = 2 (over σ², the
// energy of each direction). H ∈ [0, 1]: 0 for one dominant direction, 1 for a flat spectrum (a task that uses
// many directions of the module's input space, "more complex"). q = 2 weights the top directions more, so the
// same spectrum reads as less flat.

/** What the shares p_i are taken over: σ_i ('sigma') or σ_i² ('sigma2'). */
export type EntropyOver = 'sigma' | 'sigma2';

export function spectralEntropy(singularValues: ArrayLike<number>, k: number = singularValues.length, over: EntropyOver = 'sigma'): number {
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`spectralEntropy: K must be a positive integer, got ${k}`);
  // With K = 1 there is a single share p = 1 and the normalizer ln 1 = 0: the entropy is 0 by convention.
  if (k === 1) return 0;
  const count = Math.min(k, singularValues.length);
  const weight = (s: number) => (over === 'sigma2' ? s * s : s);
  let total = 0;
  for (let i = 0; i < count; i++) {
    const s = singularValues[i];
    if (!(s >= 0) || !Number.isFinite(s)) throw new RangeError(`spectralEntropy: singular value ${i} is ${s}; expected a finite value ≥ 0`);
    total += weight(s);
  }
  if (total === 0) return 0;
  let h = 0;
  for (let i = 0; i < count; i++) {
    const p = weight(singularValues[i]) / total;
    if (p > 0) h -= p * Math.log(p);
  }
  // Values missing beyond `count` are zeros: p = 0 contributes nothing, K still sets the normalizer.
  return h / Math.log(k);
}
