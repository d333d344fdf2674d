// HASI step 4: normalized spectral entropy of the top-K singular values of the context matrix W·C_t.
// H = −Σ_i p_i ln p_i / ln K, p_i = σ_i / Σ_j σ_j. H ∈ [0, 1]: 0 for one dominant direction, 1 for a flat
// spectrum (a task that uses many directions of the module's input space, "more complex").

export function spectralEntropy(singularValues: ArrayLike<number>, k: number = singularValues.length): number {
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`spectralEntropy: K must be a positive integer, got ${k}`);
  // With K = 1 there is a single share p = 1 and the normalizer ln 1 = 0: the entropy is 0 by convention.
  if (k === 1) return 0;
  const count = Math.min(k, singularValues.length);
  let total = 0;
  for (let i = 0; i < count; i++) {
    const s = singularValues[i];
    if (!(s >= 0) || !Number.isFinite(s)) throw new RangeError(`spectralEntropy: singular value ${i} is ${s}; expected a finite value ≥ 0`);
    total += s;
  }
  if (total === 0) return 0;
  let h = 0;
  for (let i = 0; i < count; i++) {
    const p = singularValues[i] / total;
    if (p > 0) h -= p * Math.log(p);
  }
  // Values missing beyond `count` are zeros: p = 0 contributes nothing, K still sets the normalizer.
  return h / Math.log(k);
}
