// Thin SVD M = U·diag(σ)·Vᵀ by one-sided (Hestenes) Jacobi: rotate pairs of columns until all are mutually
// orthogonal; then σ_j = ‖column j‖ and U's columns are the normalized columns. Accurate to working precision
// even for tiny σ (no Gram matrix, so the condition number is not squared). O(sweeps · m·n²), n ≤ m.
import { Matrix, transpose, zeros } from './matrix';

/** Givens rotation of two rows stored at offsets p and q: (a, b) ← (c·a − s·b, s·a + c·b). */
function rotatePair(data: Float64Array, p: number, q: number, length: number, c: number, s: number): void {
  for (let i = 0; i < length; i++) {
    const a = data[p + i];
    const b = data[q + i];
    data[p + i] = c * a - s * b;
    data[q + i] = s * a + c * b;
  }
}

export interface Svd {
  /** m×k, orthonormal columns. */
  u: Matrix;
  /** k values, descending, ≥ 0. */
  s: Float64Array;
  /** n×k, orthonormal columns. */
  v: Matrix;
}

const MAX_SWEEPS = 60;

// Columns of X as the rows of `cols` (n rows of length m), so each rotation touches contiguous memory.
function jacobiOnColumns(cols: Float64Array, n: number, m: number, vt: Float64Array): void {
  const eps = 2 ** -52;
  for (let sweep = 0; sweep < MAX_SWEEPS; sweep++) {
    let rotated = false;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        let alpha = 0;
        let beta = 0;
        let gamma = 0;
        const op = p * m;
        const oq = q * m;
        for (let i = 0; i < m; i++) {
          const a = cols[op + i];
          const b = cols[oq + i];
          alpha += a * a;
          beta += b * b;
          gamma += a * b;
        }
        if (gamma === 0 || Math.abs(gamma) <= eps * Math.sqrt(alpha * beta)) continue;
        rotated = true;
        // Rotation angle that zeroes the (p, q) inner product: t = tan θ, the smaller root.
        const zeta = (beta - alpha) / (2 * gamma);
        const t = Math.sign(zeta || 1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t);
        const s = c * t;
        rotatePair(cols, op, oq, m, c, s);
        rotatePair(vt, p * n, q * n, n, c, s);
      }
    }
    if (!rotated) return;
  }
}

// Replaces the zero rows of `basis` (k rows of length m, the rest orthonormal) by unit vectors orthogonal to all
// others, taken from Gram–Schmidt on the standard basis, so that U stays orthonormal when M is rank deficient.
function completeOrthonormalRows(basis: Float64Array, k: number, m: number, isZero: boolean[]): void {
  let candidate = 0;
  for (let r = 0; r < k; r++) {
    if (!isZero[r]) continue;
    for (; candidate < m; candidate++) {
      const v = new Float64Array(m);
      v[candidate] = 1;
      for (let pass = 0; pass < 2; pass++) {
        for (let o = 0; o < k; o++) {
          if (o === r || (isZero[o] && o > r)) continue;
          let dot = 0;
          for (let i = 0; i < m; i++) dot += basis[o * m + i] * v[i];
          for (let i = 0; i < m; i++) v[i] -= dot * basis[o * m + i];
        }
      }
      let norm = 0;
      for (const x of v) norm += x * x;
      norm = Math.sqrt(norm);
      if (norm > 1e-6) {
        for (let i = 0; i < m; i++) basis[r * m + i] = v[i] / norm;
        candidate++;
        break;
      }
    }
  }
}

function svdTall(a: Matrix): Svd {
  const m = a.rows;
  const n = a.cols;
  const cols = transpose(a).data;
  const vt = new Float64Array(n * n);
  for (let i = 0; i < n; i++) vt[i * n + i] = 1;
  jacobiOnColumns(cols, n, m, vt);
  const norms = Array.from({ length: n }, (_, j) => {
    let s = 0;
    for (let i = 0; i < m; i++) s += cols[j * m + i] ** 2;
    return Math.sqrt(s);
  });
  const order = Array.from({ length: n }, (_, j) => j).sort((x, y) => norms[y] - norms[x]);
  const sMax = norms[order[0]] ?? 0;
  const uRows = new Float64Array(n * m);
  const isZero: boolean[] = [];
  const s = new Float64Array(n);
  order.forEach((j, r) => {
    // Columns at round-off level carry no direction; they are replaced by an orthonormal completion.
    const zero = norms[j] <= sMax * n * 2 ** -52 || norms[j] === 0;
    isZero.push(zero);
    s[r] = zero ? 0 : norms[j];
    if (!zero) for (let i = 0; i < m; i++) uRows[r * m + i] = cols[j * m + i] / norms[j];
  });
  completeOrthonormalRows(uRows, n, m, isZero);
  const u = transpose({ rows: n, cols: m, data: uRows });
  const v = zeros(n, n);
  order.forEach((j, r) => {
    for (let i = 0; i < n; i++) v.data[i * n + r] = vt[j * n + i];
  });
  return { u, s, v };
}

/** Thin SVD with k = min(m, n) triples; `topK` keeps only the k largest. */
export function svd(a: Matrix, topK?: number): Svd {
  const full = a.rows >= a.cols ? svdTall(a) : swap(svdTall(transpose(a)));
  return topK === undefined ? full : truncateSvd(full, topK);
}

function swap(t: Svd): Svd {
  return { u: t.v, s: t.s, v: t.u };
}

export function truncateSvd(f: Svd, k: number): Svd {
  const keep = Math.min(k, f.s.length);
  const take = (m: Matrix): Matrix => {
    const out = zeros(m.rows, keep);
    for (let i = 0; i < m.rows; i++) for (let j = 0; j < keep; j++) out.data[i * keep + j] = m.data[i * m.cols + j];
    return out;
  };
  return { u: take(f.u), s: f.s.slice(0, keep), v: take(f.v) };
}
