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
 * Whether the Cholesky factorization of C + shift·I succeeds. Right-looking and blocked past 2·blockSize rows:
 * for each diagonal block, L₁₁ = chol(C₁₁) in JS, L₂₁ = C₂₁·L₁₁⁻ᵀ and the trailing update C₂₂ ← C₂₂ − L₂₁·L₂₁ᵀ
 * through `mul`. C itself is not modified (and not copied whole).
 */
export async function choleskySucceeds(c: Matrix, mul: MatmulFn, shift = 0, blockSize = 256): Promise<boolean> {
  if (c.rows !== c.cols) throw new ShapeError(`cholesky: matrix must be square, got ${c.rows}×${c.cols}`);
  const shifted = (m: Matrix) => {
    for (let i = 0; i < m.rows; i++) m.data[i * m.cols + i] += shift;
    return m;
  };
  // The shift is added to each block as it is cut out of C; later blocks come from the trailing matrix, which has it.
  let trailing = c;
  let fromC = true;
  while (trailing.rows > 2 * blockSize) {
    const n = trailing.rows;
    const diag = block(trailing, 0, blockSize, 0, blockSize);
    const l11 = tryCholesky(fromC ? shifted(diag) : diag);
    if (!l11) return false;
    const l21 = await mul(block(trailing, blockSize, n, 0, blockSize), transpose(invertLower(l11)));
    const update = await mul(l21, transpose(l21));
    const next = block(trailing, blockSize, n, blockSize, n);
    if (fromC) shifted(next);
    for (let i = 0; i < next.data.length; i++) next.data[i] -= update.data[i];
    // Symmetrize: the two triangles of the update are rounded independently.
    const m = next.rows;
    for (let i = 0; i < m; i++) for (let j = 0; j < i; j++) next.data[i * m + j] = next.data[j * m + i] = 0.5 * (next.data[i * m + j] + next.data[j * m + i]);
    trailing = next;
    fromC = false;
  }
  const last = fromC ? shifted({ rows: trailing.rows, cols: trailing.cols, data: Float64Array.from(trailing.data) }) : trailing;
  return tryCholesky(last) !== undefined;
}

export interface CovarianceDamping {
  /** The ε that made the Cholesky factorization of C + ε·mean(diag C)·I succeed. */
  epsilon: number;
  /** ε·mean(diag C) (ε·1 for a zero matrix): the damped covariance is C + shift·I. */
  shift: number;
  /** Number of factorizations tried (1 = the first ε worked). */
  attempts: number;
}

// Modules that read the same input (q/k/v, gate/up) share one C_t object: its damping is found once.
const dampingCache = new WeakMap<Matrix, Map<number, Promise<CovarianceDamping>>>();

// HASI step 2: C ← C + ε·mean(diag C)·I, ε raised ×10 until Cholesky succeeds. A zero matrix (a module
// whose inputs were all zero) has mean(diag) = 0, so the shift falls back to ε·1 to stay positive.
export function dampCovariance(c: Matrix, mul: MatmulFn, epsilon = 1e-4, maxAttempts = 12, where = 'covariance'): Promise<CovarianceDamping> {
  const cached = dampingCache.get(c)?.get(epsilon);
  if (cached) return cached;
  const found = findDamping(c, mul, epsilon, maxAttempts, where);
  if (!dampingCache.has(c)) dampingCache.set(c, new Map());
  dampingCache.get(c)!.set(epsilon, found);
  return found;
}

async function findDamping(c: Matrix, mul: MatmulFn, epsilon: number, maxAttempts: number, where: string): Promise<CovarianceDamping> {
  const meanDiag = meanDiagonal(c);
  if (!Number.isFinite(meanDiag)) throw new NotPositiveDefiniteError(`dampCovariance: ${where} has non-finite diagonal entries (NaN/Inf in the preview activations?)`);
  const base = meanDiag > 0 ? meanDiag : 1;
  let eps = epsilon;
  for (let attempt = 1; attempt <= maxAttempts; attempt++, eps *= 10) {
    if (await choleskySucceeds(c, mul, eps * base)) return { epsilon: eps, shift: eps * base, attempts: attempt };
  }
  throw new NotPositiveDefiniteError(
    `dampCovariance: ${where} (${c.rows}×${c.cols}) stayed indefinite up to ε = ${eps / 10}; it is not a covariance (negative eigenvalues?). Check that C = XᵀX/n was accumulated, not a difference`,
  );
}
