// Thin Householder QR of a tall matrix: M = Q·R, Q m×n with orthonormal columns, R n×n upper triangular.
import { Matrix, ShapeError, zeros } from './matrix';

export interface Qr {
  q: Matrix;
  r: Matrix;
}

export function qr(a: Matrix): Qr {
  const m = a.rows;
  const n = a.cols;
  if (m < n) throw new ShapeError(`qr: thin QR needs rows ≥ cols, got ${m}×${n}; factor the transpose instead`);
  const w = Float64Array.from(a.data);
  const vs: Float64Array[] = [];
  for (let k = 0; k < n; k++) {
    // Reflector H = I − 2vvᵀ/(vᵀv) mapping column k below the diagonal onto −sign(x₀)‖x‖e₀ (no cancellation).
    let norm = 0;
    for (let i = k; i < m; i++) norm += w[i * n + k] ** 2;
    norm = Math.sqrt(norm);
    const v = new Float64Array(m - k);
    for (let i = k; i < m; i++) v[i - k] = w[i * n + k];
    const alpha = w[k * n + k] >= 0 ? -norm : norm;
    v[0] -= alpha;
    let vv = 0;
    for (const x of v) vv += x * x;
    vs.push(v);
    if (vv === 0) continue;
    for (let j = k; j < n; j++) {
      let dot = 0;
      for (let i = k; i < m; i++) dot += v[i - k] * w[i * n + j];
      const f = (2 * dot) / vv;
      for (let i = k; i < m; i++) w[i * n + j] -= f * v[i - k];
    }
  }
  const r = zeros(n, n);
  for (let i = 0; i < n; i++) for (let j = i; j < n; j++) r.data[i * n + j] = w[i * n + j];
  // Q = H₀·H₁·…·H_{n−1}·[I; 0], applied right to left.
  const q = zeros(m, n);
  for (let i = 0; i < n; i++) q.data[i * n + i] = 1;
  for (let k = n - 1; k >= 0; k--) {
    const v = vs[k];
    let vv = 0;
    for (const x of v) vv += x * x;
    if (vv === 0) continue;
    for (let j = 0; j < n; j++) {
      let dot = 0;
      for (let i = k; i < m; i++) dot += v[i - k] * q.data[i * n + j];
      const f = (2 * dot) / vv;
      for (let i = k; i < m; i++) q.data[i * n + j] -= f * v[i - k];
    }
  }
  return { q, r };
}

/** Orthonormal basis (m×n) of the columns of a tall matrix; for rank-deficient input it spans a superset. */
export function orthonormalizeColumns(a: Matrix): Matrix {
  return qr(a).q;
}
