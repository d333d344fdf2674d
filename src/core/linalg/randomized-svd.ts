// Randomized truncated SVD (Halko, Martinsson & Tropp 2011, Alg. 4.4 + 5.1): a Gaussian range finder with
// oversampling and power iterations. Only the products with M are heavy (m×n by n×l); they go through a
// LinearOperator whose MatmulFn may run in ONNX Runtime. Everything else is l×l or n×l work in JS.
import { Matrix, matmul, transpose } from './matrix';
import { orthonormalizeColumns } from './qr';
import { Rng, randomNormalMatrix, seededRng } from './random';
import { Svd, svd, truncateSvd } from './svd';

/** C = A·B; may be asynchronous (an ONNX Runtime session). */
export type MatmulFn = (a: Matrix, b: Matrix) => Matrix | Promise<Matrix>;

export const jsMatmul: MatmulFn = (a, b) => matmul(a, b);

/** An m×n matrix known only through its products. */
export interface LinearOperator {
  rows: number;
  cols: number;
  /** M·X, X: n×l. */
  multiply(x: Matrix): Promise<Matrix>;
  /** Mᵀ·Y, Y: m×l. */
  multiplyTransposed(y: Matrix): Promise<Matrix>;
}

export function denseOperator(m: Matrix, mul: MatmulFn = jsMatmul): LinearOperator {
  let mt: Matrix | undefined;
  return {
    rows: m.rows,
    cols: m.cols,
    multiply: async (x) => mul(m, x),
    multiplyTransposed: async (y) => mul((mt ??= transpose(m)), y),
  };
}

// M = W·C with C symmetric (a covariance): M·X = W·(C·X), Mᵀ·Y = C·(Wᵀ·Y). Never forms W·C.
export function productWithSymmetricOperator(w: Matrix, c: Matrix, mul: MatmulFn = jsMatmul): LinearOperator {
  let wt: Matrix | undefined;
  return {
    rows: w.rows,
    cols: c.cols,
    multiply: async (x) => mul(w, await mul(c, x)),
    multiplyTransposed: async (y) => mul(c, await mul((wt ??= transpose(w)), y)),
  };
}

export interface RandomizedSvdOptions {
  /** Extra random directions beyond k (default 10). */
  oversampling?: number;
  /** Power iterations (default 2); each sharpens the spectrum decay by another power of σ². */
  powerIterations?: number;
  seed?: number;
  rng?: Rng;
}

export async function randomizedSvd(op: LinearOperator, k: number, options: RandomizedSvdOptions = {}): Promise<Svd> {
  const minDim = Math.min(op.rows, op.cols);
  const l = Math.min(k + (options.oversampling ?? 10), minDim);
  const rng = options.rng ?? seededRng(options.seed ?? 0x5eed);
  // Range finder: Q spans M·Ω; power steps re-orthonormalize between products to keep small σ from drowning.
  let q = orthonormalizeColumns(await op.multiply(randomNormalMatrix(op.cols, l, rng)));
  for (let it = 0; it < (options.powerIterations ?? 2); it++) {
    const z = orthonormalizeColumns(await op.multiplyTransposed(q));
    q = orthonormalizeColumns(await op.multiply(z));
  }
  // Bᵀ = Mᵀ·Q (n×l); Bᵀ = V·Σ·Ũᵀ ⇒ M ≈ Q·B = (Q·Ũ)·Σ·Vᵀ.
  const bt = await op.multiplyTransposed(q);
  const small = svd(bt);
  const result: Svd = { u: matmul(q, small.v), s: small.s, v: small.u };
  return truncateSvd(result, k);
}
