// Principal angles between column spaces and the Roy–Vetterli effective rank: the diagnostics of §5.
import { Matrix, matmulTransposeA, zeros } from './matrix';
import { svd } from './svd';

/** Orthonormal basis of span(columns of X): left singular vectors with σ > relTol·σ_max. */
export function columnSpaceBasis(x: Matrix, relTol = 1e-10): Matrix {
  const f = svd(x);
  const sMax = f.s[0] ?? 0;
  let rank = 0;
  while (rank < f.s.length && f.s[rank] > relTol * sMax && f.s[rank] > 0) rank++;
  const out = zeros(x.rows, rank);
  for (let i = 0; i < x.rows; i++) for (let j = 0; j < rank; j++) out.data[i * rank + j] = f.u.data[i * f.u.cols + j];
  return out;
}

// θ_k = arccos σ_k(Q_xᵀ·Q_y), ascending, min(rank X, rank Y) angles in radians.
export function principalAngles(x: Matrix, y: Matrix): Float64Array {
  if (x.rows !== y.rows) throw new Error(`principalAngles: the subspaces live in R^${x.rows} and R^${y.rows}; both need the same ambient dimension`);
  const qx = columnSpaceBasis(x);
  const qy = columnSpaceBasis(y);
  if (qx.cols === 0 || qy.cols === 0) return new Float64Array(0);
  const cosines = svd(matmulTransposeA(qx, qy)).s;
  return Float64Array.from(cosines, (c) => Math.acos(Math.min(1, Math.max(-1, c))));
}

// Roy & Vetterli (2007): erank = exp(−Σ p_i ln p_i), p_i = σ_i / Σ_j σ_j; between 1 and rank(M); 0 for M = 0.
export function effectiveRankOfSpectrum(singularValues: ArrayLike<number>): number {
  let total = 0;
  for (let i = 0; i < singularValues.length; i++) total += Math.abs(singularValues[i]);
  if (total === 0) return 0;
  let h = 0;
  for (let i = 0; i < singularValues.length; i++) {
    const p = Math.abs(singularValues[i]) / total;
    if (p > 0) h -= p * Math.log(p);
  }
  return Math.exp(h);
}

export function effectiveRank(m: Matrix): number {
  return effectiveRankOfSpectrum(svd(m).s);
}
