// Cholesky factorization C = L·Lᵀ of a symmetric positive-definite matrix, and the damping loop of HASI step 2,
// whose criterion is that the factorization succeeds. Past a few hundred rows the factorization is blocked and
// its n³/3 runs as matrix products through a MatmulFn (ONNX Runtime), as the design's §1 asks of heavy products.
import { Matrix, ShapeError, meanDiagonal, transpose, zeros } from './matrix';
import type { MatmulFn } from './randomized-svd';

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
  if (!l) throw new NotPositiveDefiniteError(`cholesky: ${where} (${c.rows}×${c.cols}) is not positive definite; damp it first (dampCovariance)`);
  return l;
}

// L⁻¹ of a lower-triangular L by forward substitution on the identity (nb³/3).
function invertLower(l: Matrix): Matrix {
  const n = l.rows;
  const inv = zeros(n, n);
  for (let j = 0; j < n; j++) {
    inv.data[j * n + j] = 1 / l.data[j * n + j];
    for (let i = j + 1; i < n; i++) {
      let s = 0;
      for (let k = j; k < i; k++) s -= l.data[i * n + k] * inv.data[k * n + j];
      inv.data[i * n + j] = s / l.data[i * n + i];
    }
  }
  return inv;
}

function block(m: Matrix, r0: number, r1: number, c0: number, c1: number): Matrix {
  const out = zeros(r1 - r0, c1 - c0);
  for (let i = r0; i < r1; i++) out.data.set(m.data.subarray(i * m.cols + c0, i * m.cols + c1), (i - r0) * (c1 - c0));
  return out;
}

/**
 * Whether the Cholesky factorization of C succeeds. Right-looking and blocked past 2·blockSize rows: for each
 * diagonal block, L₁₁ = chol(C₁₁) in JS, L₂₁ = C₂₁·L₁₁⁻ᵀ and the trailing update C₂₂ ← C₂₂ − L₂₁·L₂₁ᵀ through `mul`.
 */
export async function choleskySucceeds(c: Matrix, mul: MatmulFn, blockSize = 256): Promise<boolean> {
  if (c.rows !== c.cols) throw new ShapeError(`cholesky: matrix must be square, got ${c.rows}×${c.cols}`);
  let trailing = c;
  while (trailing.rows > 2 * blockSize) {
    const n = trailing.rows;
    const l11 = tryCholesky(block(trailing, 0, blockSize, 0, blockSize));
    if (!l11) return false;
    const l21 = await mul(block(trailing, blockSize, n, 0, blockSize), transpose(invertLower(l11)));
    const update = await mul(l21, transpose(l21));
    const next = block(trailing, blockSize, n, blockSize, n);
    for (let i = 0; i < next.data.length; i++) next.data[i] -= update.data[i];
    // Symmetrize: the two triangles of the update are rounded independently.
    const m = next.rows;
    for (let i = 0; i < m; i++) for (let j = 0; j < i; j++) next.data[i * m + j] = next.data[j * m + i] = 0.5 * (next.data[i * m + j] + next.data[j * m + i]);
    trailing = next;
  }
  return tryCholesky(trailing) !== undefined;
}

export interface DampedCovariance {
  /** The damped matrix C + ε·mean(diag C)·I. */
  damped: Matrix;
  /** The ε that made the Cholesky factorization succeed. */
  epsilon: number;
  /** Number of factorizations tried (1 = the first ε worked). */
  attempts: number;
}

// HASI step 2: C ← C + ε·mean(diag C)·I, ε raised ×10 until Cholesky succeeds. A zero matrix (a module
// whose inputs were all zero) has mean(diag) = 0, so the shift falls back to ε·1 to stay positive.
export async function dampCovariance(c: Matrix, mul: MatmulFn, epsilon = 1e-4, maxAttempts = 12, where = 'covariance'): Promise<DampedCovariance> {
  const meanDiag = meanDiagonal(c);
  if (!Number.isFinite(meanDiag)) throw new NotPositiveDefiniteError(`dampCovariance: ${where} has non-finite diagonal entries (NaN/Inf in the preview activations?)`);
  const base = meanDiag > 0 ? meanDiag : 1;
  let eps = epsilon;
  for (let attempt = 1; attempt <= maxAttempts; attempt++, eps *= 10) {
    const damped: Matrix = { rows: c.rows, cols: c.cols, data: Float64Array.from(c.data) };
    const shift = eps * base;
    for (let i = 0; i < c.rows; i++) damped.data[i * c.cols + i] += shift;
    if (await choleskySucceeds(damped, mul)) return { damped, epsilon: eps, attempts: attempt };
  }
  throw new NotPositiveDefiniteError(
    `dampCovariance: ${where} (${c.rows}×${c.cols}) stayed indefinite up to ε = ${eps / 10}; it is not a covariance (negative eigenvalues?). Check that C = XᵀX/n was accumulated, not a difference`,
  );
}
