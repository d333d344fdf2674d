// Cholesky factorization C = L·Lᵀ of a symmetric positive-definite matrix, the damping loop of HASI step 2,
// and the triangular solves that give C⁻¹·X without forming C⁻¹.
import { Matrix, ShapeError, clone, meanDiagonal, zeros } from './matrix';

export class NotPositiveDefiniteError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotPositiveDefiniteError';
  }
}

/** Lower-triangular L with C = L·Lᵀ, or undefined when a pivot is ≤ 0 or not finite (C not positive definite). */
export function tryCholesky(c: Matrix): Matrix | undefined {
  if (c.rows !== c.cols) throw new ShapeError(`cholesky: matrix must be square, got ${c.rows}×${c.cols}`);
  const n = c.rows;
  const l = zeros(n, n);
  const L = l.data;
  for (let j = 0; j < n; j++) {
    // L_jj = √(C_jj − Σ_k<j L_jk²)
    let d = c.data[j * n + j];
    for (let k = 0; k < j; k++) d -= L[j * n + k] * L[j * n + k];
    if (!(d > 0) || !Number.isFinite(d)) return undefined;
    const ljj = Math.sqrt(d);
    L[j * n + j] = ljj;
    // L_ij = (C_ij − Σ_k<j L_ik L_jk) / L_jj, i > j
    for (let i = j + 1; i < n; i++) {
      let s = c.data[i * n + j];
      for (let k = 0; k < j; k++) s -= L[i * n + k] * L[j * n + k];
      L[i * n + j] = s / ljj;
    }
  }
  return l;
}

export function cholesky(c: Matrix, where = 'matrix'): Matrix {
  const l = tryCholesky(c);
  if (!l) throw new NotPositiveDefiniteError(`cholesky: ${where} (${c.rows}×${c.cols}) is not positive definite; damp it first (dampedCholesky)`);
  return l;
}

export interface DampedCholesky {
  /** The damped matrix C + ε·mean(diag C)·I that was factorized. */
  damped: Matrix;
  factor: Matrix;
  /** The ε that succeeded. */
  epsilon: number;
  /** Number of factorizations tried (1 = the first ε worked). */
  attempts: number;
}

// HASI step 2: C ← C + ε·mean(diag C)·I, ε raised ×10 until Cholesky succeeds. A zero matrix (a module
// whose inputs were all zero) has mean(diag) = 0, so the shift falls back to ε·1 to stay positive.
export function dampedCholesky(c: Matrix, epsilon = 1e-4, maxAttempts = 12, where = 'covariance'): DampedCholesky {
  const meanDiag = meanDiagonal(c);
  if (!Number.isFinite(meanDiag)) throw new NotPositiveDefiniteError(`dampedCholesky: ${where} has non-finite diagonal entries (NaN/Inf in the preview activations?)`);
  const base = meanDiag > 0 ? meanDiag : 1;
  let eps = epsilon;
  for (let attempt = 1; attempt <= maxAttempts; attempt++, eps *= 10) {
    const damped = clone(c);
    const shift = eps * base;
    for (let i = 0; i < c.rows; i++) damped.data[i * c.cols + i] += shift;
    const factor = tryCholesky(damped);
    if (factor) return { damped, factor, epsilon: eps, attempts: attempt };
  }
  throw new NotPositiveDefiniteError(
    `dampedCholesky: ${where} (${c.rows}×${c.cols}) stayed indefinite up to ε = ${eps / 10}; it is not a covariance (negative eigenvalues?). Check that C = XᵀX/n was accumulated, not a difference`,
  );
}

// Solves L·Y = X (forward substitution), X: n×m.
export function solveLower(l: Matrix, x: Matrix): Matrix {
  const n = l.rows;
  if (x.rows !== n) throw new ShapeError(`solveLower: L is ${n}×${n}, right-hand side has ${x.rows} rows`);
  const m = x.cols;
  const y = clone(x);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < i; k++) {
      const lik = l.data[i * n + k];
      if (lik === 0) continue;
      for (let j = 0; j < m; j++) y.data[i * m + j] -= lik * y.data[k * m + j];
    }
    const d = l.data[i * n + i];
    for (let j = 0; j < m; j++) y.data[i * m + j] /= d;
  }
  return y;
}

// Solves Lᵀ·Z = Y (back substitution), Y: n×m.
export function solveUpperTransposed(l: Matrix, y: Matrix): Matrix {
  const n = l.rows;
  if (y.rows !== n) throw new ShapeError(`solveUpperTransposed: L is ${n}×${n}, right-hand side has ${y.rows} rows`);
  const m = y.cols;
  const z = clone(y);
  for (let i = n - 1; i >= 0; i--) {
    for (let k = i + 1; k < n; k++) {
      const lki = l.data[k * n + i];
      if (lki === 0) continue;
      for (let j = 0; j < m; j++) z.data[i * m + j] -= lki * z.data[k * m + j];
    }
    const d = l.data[i * n + i];
    for (let j = 0; j < m; j++) z.data[i * m + j] /= d;
  }
  return z;
}

/** C⁻¹·X from the factor L of C = L·Lᵀ. */
export function choleskySolve(l: Matrix, x: Matrix): Matrix {
  return solveUpperTransposed(l, solveLower(l, x));
}
