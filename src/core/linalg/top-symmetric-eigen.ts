// Every eigenvalue and the eigenvectors of the k largest of a symmetric S (n×n), for the context spectra of
// large modules (thanora/context-svd.ts), where a full eigendecomposition would cost ~9·n³ in JavaScript:
//   1. Householder tridiagonalization T = Qᵀ·S·Q, keeping the reflectors instead of forming Q   (~2·n³)
//   2. every eigenvalue of T by implicit QL without vectors                                       (O(n²))
//   3. the k eigenvectors of T by inverse iteration, re-orthogonalized within clusters of close eigenvalues
//      (LAPACK dstein's rule: |λ_i − λ_j| ≤ 10⁻³·‖T‖₁)                                            (O(n·k))
//   4. back through the reflectors: v = Q·x                                                        (O(n²·k))
import { Matrix, ShapeError, zeros } from './matrix';

export interface TopSymmetricEigen {
  /** All n eigenvalues, descending. */
  values: Float64Array;
  /** n×k: the eigenvectors of values[0..k). */
  vectors: Matrix;
}

interface Tridiagonal {
  d: Float64Array;
  /** e[i] couples i and i + 1 (length n − 1). */
  e: Float64Array;
  /** Reflector i acts on rows i+1…n−1: H = I − τ·v·vᵀ with v[0] = 1. */
  reflectors: { v: Float64Array; tau: number }[];
}

// A holds S (full, row-major) and is overwritten. Step i zeroes A[i, i+2…] with H_i = I − τ·v·vᵀ on the
// trailing block A₂₂ (rows/cols i+1…): p = τ·A₂₂·v, w = p − (τ/2)(pᵀv)·v, A₂₂ ← A₂₂ − v·wᵀ − w·vᵀ.
function tridiagonalize(A: Float64Array, n: number): Tridiagonal {
  const d = new Float64Array(n);
  const e = new Float64Array(Math.max(n - 1, 0));
  const reflectors: Tridiagonal['reflectors'] = [];
  for (let i = 0; i < n - 2; i++) {
    const m = n - i - 1;
    const row = i * n + i + 1;
    d[i] = A[i * n + i];
    // Householder vector of x = A[i, i+1…]: β = −sign(x₀)‖x‖, v = (x − β·e₀)/(x₀ − β), τ = (β − x₀)/β.
    let norm2 = 0;
    for (let k = 1; k < m; k++) norm2 += A[row + k] ** 2;
    const x0 = A[row];
    if (norm2 === 0) {
      e[i] = x0;
      reflectors.push({ v: new Float64Array(m), tau: 0 });
      continue;
    }
    const beta = -Math.sign(x0 || 1) * Math.sqrt(x0 * x0 + norm2);
    const v = new Float64Array(m);
    v[0] = 1;
    for (let k = 1; k < m; k++) v[k] = A[row + k] / (x0 - beta);
    const tau = (beta - x0) / beta;
    e[i] = beta;
    reflectors.push({ v, tau });
    const p = new Float64Array(m);
    for (let r = 0; r < m; r++) {
      const base = (i + 1 + r) * n + i + 1;
      let s = 0;
      for (let c = 0; c < m; c++) s += A[base + c] * v[c];
      p[r] = tau * s;
    }
    let pv = 0;
    for (let k = 0; k < m; k++) pv += p[k] * v[k];
    const half = (tau / 2) * pv;
    for (let k = 0; k < m; k++) p[k] -= half * v[k];
    for (let r = 0; r < m; r++) {
      const base = (i + 1 + r) * n + i + 1;
      const vr = v[r];
      const wr = p[r];
      for (let c = 0; c < m; c++) A[base + c] -= vr * p[c] + wr * v[c];
    }
  }
  if (n >= 2) {
    d[n - 2] = A[(n - 2) * n + n - 2];
    e[n - 2] = A[(n - 1) * n + n - 2];
  }
  if (n >= 1) d[n - 1] = A[(n - 1) * n + n - 1];
  return { d, e, reflectors };
}

// Implicit QL with Wilkinson shifts on (d, e), eigenvalues only (Numerical Recipes' tqli without z).
function tridiagonalEigenvalues(t: Tridiagonal): Float64Array {
  const n = t.d.length;
  const d = Float64Array.from(t.d);
  const e = new Float64Array(n);
  e.set(t.e);
  for (let l = 0; l < n; l++) {
    let iterations = 0;
    for (;;) {
      let m = l;
      for (; m < n - 1; m++) {
        const dd = Math.abs(d[m]) + Math.abs(d[m + 1]);
        if (Math.abs(e[m]) <= 2 ** -52 * dd) break;
      }
      if (m === l) break;
      if (++iterations > 60) throw new Error(`topSymmetricEigen: QL did not converge for eigenvalue ${l} of ${n} (NaN/Inf in the matrix?)`);
      let g = (d[l + 1] - d[l]) / (2 * e[l]);
      let r = Math.hypot(g, 1);
      g = d[m] - d[l] + e[l] / (g + (g >= 0 ? Math.abs(r) : -Math.abs(r)));
      let s = 1;
      let c = 1;
      let p = 0;
      let i = m - 1;
      for (; i >= l; i--) {
        let f = s * e[i];
        const b = c * e[i];
        r = Math.hypot(f, g);
        e[i + 1] = r;
        if (r === 0) {
          d[i + 1] -= p;
          e[m] = 0;
          break;
        }
        s = f / r;
        c = g / r;
        g = d[i + 1] - p;
        r = (d[i] - g) * s + 2 * c * b;
        p = s * r;
        d[i + 1] = g + p;
        g = c * r - b;
      }
      if (r === 0 && i >= l) continue;
      d[l] -= p;
      e[l] = g;
      e[m] = 0;
    }
  }
  return d.sort().reverse();
}

// Solves (T − λI)·x = b by Gaussian elimination with partial pivoting on the tridiagonal (LAPACK dlagtf/dlagts).
function solveShifted(t: Tridiagonal, lambda: number, b: Float64Array, tiny: number): Float64Array {
  const n = t.d.length;
  // Rows hold up to three nonzeros after pivoting: u0 (diagonal), u1, u2 (the next two columns).
  const u0 = new Float64Array(n);
  const u1 = new Float64Array(n);
  const u2 = new Float64Array(n);
  const mult = new Float64Array(n);
  const swapped = new Uint8Array(n);
  const x = Float64Array.from(b);
  let diag = t.d[0] - lambda;
  let upper = n > 1 ? t.e[0] : 0;
  for (let k = 0; k < n - 1; k++) {
    const sub = t.e[k];
    const nextDiag = t.d[k + 1] - lambda;
    const nextUpper = k + 1 < n - 1 ? t.e[k + 1] : 0;
    if (Math.abs(diag) >= Math.abs(sub)) {
      const f = diag === 0 ? 0 : sub / (diag || tiny);
      u0[k] = diag;
      u1[k] = upper;
      u2[k] = 0;
      mult[k] = f;
      diag = nextDiag - f * upper;
      upper = nextUpper;
    } else {
      // Swap rows k and k + 1.
      const f = diag / sub;
      u0[k] = sub;
      u1[k] = nextDiag;
      u2[k] = nextUpper;
      mult[k] = f;
      swapped[k] = 1;
      diag = upper - f * nextDiag;
      upper = -f * nextUpper;
    }
  }
  u0[n - 1] = diag;
  for (let k = 0; k < n - 1; k++) {
    if (swapped[k]) {
      const tmp = x[k];
      x[k] = x[k + 1];
      x[k + 1] = tmp - mult[k] * x[k + 1];
    } else {
      x[k + 1] -= mult[k] * x[k];
    }
  }
  for (let k = n - 1; k >= 0; k--) {
    let s = x[k];
    if (k + 1 < n) s -= u1[k] * x[k + 1];
    if (k + 2 < n) s -= u2[k] * x[k + 2];
    const pivot = Math.abs(u0[k]) < tiny ? (u0[k] < 0 ? -tiny : tiny) : u0[k];
    x[k] = s / pivot;
  }
  return x;
}

function normalize(x: Float64Array): void {
  let s = 0;
  for (const v of x) s += v * v;
  const inv = 1 / Math.sqrt(s);
  for (let i = 0; i < x.length; i++) x[i] *= inv;
}

function tridiagonalEigenvectors(t: Tridiagonal, values: Float64Array, k: number): Float64Array[] {
  const n = t.d.length;
  let norm1 = 0;
  for (let i = 0; i < n; i++) norm1 = Math.max(norm1, Math.abs(t.d[i]) + (i > 0 ? Math.abs(t.e[i - 1]) : 0) + (i < n - 1 ? Math.abs(t.e[i]) : 0));
  const scale = norm1 || 1;
  const tiny = 2 ** -52 * scale;
  const cluster = 1e-3 * scale;
  const vectors: Float64Array[] = [];
  for (let j = 0; j < k; j++) {
    // A deterministic, generic start vector; the shift is nudged off λ so that T − λI is not exactly singular.
    let x: Float64Array = Float64Array.from({ length: n }, (_, i) => 1 + 0.5 * Math.sin(1.7 * i + 0.3 * j));
    const lambda = values[j] + 4 * 2 ** -52 * scale;
    const close = vectors.filter((_, i) => Math.abs(values[i] - values[j]) <= cluster);
    for (let it = 0; it < 4; it++) {
      x = solveShifted(t, lambda, x, tiny);
      for (const q of close) {
        let dot = 0;
        for (let i = 0; i < n; i++) dot += q[i] * x[i];
        for (let i = 0; i < n; i++) x[i] -= dot * q[i];
      }
      normalize(x);
    }
    vectors.push(x);
  }
  return vectors;
}

// v = H₀·H₁·…·H_{n−3}·x (H_i acts on entries i+1…).
function backTransform(t: Tridiagonal, x: Float64Array): void {
  for (let i = t.reflectors.length - 1; i >= 0; i--) {
    const { v, tau } = t.reflectors[i];
    if (tau === 0) continue;
    let dot = 0;
    for (let k = 0; k < v.length; k++) dot += v[k] * x[i + 1 + k];
    const f = tau * dot;
    for (let k = 0; k < v.length; k++) x[i + 1 + k] -= f * v[k];
  }
}

export function topSymmetricEigen(s: Matrix, k: number): TopSymmetricEigen {
  if (s.rows !== s.cols) throw new ShapeError(`topSymmetricEigen: matrix must be square, got ${s.rows}×${s.cols}`);
  const n = s.rows;
  if (!Number.isInteger(k) || k < 0 || k > n) throw new RangeError(`topSymmetricEigen: k = ${k} must be an integer in 0…${n}`);
  // Symmetrize so that round-off asymmetry in the caller's S cannot bias the result.
  const A = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) A[i * n + j] = 0.5 * (s.data[i * n + j] + s.data[j * n + i]);
  const t = tridiagonalize(A, n);
  const values = tridiagonalEigenvalues(t);
  const vectors = zeros(n, k);
  tridiagonalEigenvectors(t, values, k).forEach((x, j) => {
    backTransform(t, x);
    for (let i = 0; i < n; i++) vectors.data[i * k + j] = x[i];
  });
  return { values, vectors };
}
