import * as assert from 'assert';
import { Matrix, fromRows, identity, matmul, matmulTransposeA, maxAbsDifference, scaleColumns, transpose } from '../../../../src/core/linalg/matrix';
import { qr } from '../../../../src/core/linalg/qr';
import { randomNormalMatrix, seededRng } from '../../../../src/core/linalg/random';
import { denseOperator, productWithSymmetricOperator, randomizedSvd } from '../../../../src/core/linalg/randomized-svd';
import { Svd, svd } from '../../../../src/core/linalg/svd';

const reconstruct = (f: Svd): Matrix => matmul(scaleColumns(f.u, f.s), transpose(f.v));

// Tolerance: 1e-10 absolute for U·Σ·Vᵀ = M and for UᵀU = I, VᵀV = I (entries of M are O(1)).
function checkSvd(m: Matrix): void {
  const f = svd(m);
  const k = Math.min(m.rows, m.cols);
  assert.strictEqual(f.s.length, k);
  assert.ok(maxAbsDifference(reconstruct(f), m) < 1e-10, 'U Σ Vᵀ ≠ M');
  assert.ok(maxAbsDifference(matmulTransposeA(f.u, f.u), identity(k)) < 1e-10, 'U not orthonormal');
  assert.ok(maxAbsDifference(matmulTransposeA(f.v, f.v), identity(k)) < 1e-10, 'V not orthonormal');
  for (let i = 1; i < k; i++) assert.ok(f.s[i - 1] >= f.s[i] && f.s[i] >= 0);
}

describe('linalg/svd', () => {
  // Tolerance: 1e-12; [[3,0],[0,−4]] has σ = 4, 3; [[1,1],[1,1]] has σ = 2, 0.
  it('matches hand-derived singular values', () => {
    const f = svd(fromRows([[3, 0], [0, -4]]));
    assert.ok(Math.abs(f.s[0] - 4) < 1e-12 && Math.abs(f.s[1] - 3) < 1e-12);
    const g = svd(fromRows([[1, 1], [1, 1]]));
    assert.ok(Math.abs(g.s[0] - 2) < 1e-12 && Math.abs(g.s[1]) < 1e-12);
  });
  it('reconstructs tall, wide and square random matrices', () => {
    const rng = seededRng(5);
    checkSvd(randomNormalMatrix(20, 7, rng));
    checkSvd(randomNormalMatrix(6, 15, rng));
    checkSvd(randomNormalMatrix(12, 12, rng));
  });
  it('stays orthonormal for a rank-deficient matrix (completes U)', () => {
    const rng = seededRng(6);
    checkSvd(matmul(randomNormalMatrix(10, 3, rng), randomNormalMatrix(3, 8, rng)));
  });
});

describe('linalg/qr', () => {
  // Tolerance: 1e-12 for Q·R = M and QᵀQ = I.
  it('Q·R = M with orthonormal Q and upper-triangular R', () => {
    const m = randomNormalMatrix(9, 4, seededRng(8));
    const { q, r } = qr(m);
    assert.ok(maxAbsDifference(matmul(q, r), m) < 1e-12);
    assert.ok(maxAbsDifference(matmulTransposeA(q, q), identity(4)) < 1e-12);
    for (let i = 1; i < 4; i++) for (let j = 0; j < i; j++) assert.strictEqual(r.data[i * 4 + j], 0);
  });
});

describe('linalg/randomizedSvd', () => {
  // A 60×50 matrix of exact rank 8: the range finder captures it fully, so the top-8 triples are exact.
  // Tolerance: 1e-9 relative on σ and on the reconstruction.
  it('recovers an exactly low-rank matrix', async () => {
    const rng = seededRng(9);
    const m = matmul(randomNormalMatrix(60, 8, rng), randomNormalMatrix(8, 50, rng));
    const exact = svd(m, 8);
    const approx = await randomizedSvd(denseOperator(m), 8, { seed: 1 });
    for (let i = 0; i < 8; i++) assert.ok(Math.abs(approx.s[i] - exact.s[i]) < 1e-9 * exact.s[0]);
    assert.ok(maxAbsDifference(reconstruct(approx), m) < 1e-9 * exact.s[0]);
  });
  // M = W·C with a fast-decaying spectrum: top-5 σ within 1e-6 relative after 2 power iterations.
  it('works through a product operator and a custom (async) matmul callback', async () => {
    const rng = seededRng(10);
    const w = randomNormalMatrix(40, 30, rng);
    const x = scaleColumns(randomNormalMatrix(30, 30, rng), Float64Array.from({ length: 30 }, (_, i) => 0.5 ** i));
    const c = matmulTransposeA(x, x);
    let calls = 0;
    const counting = async (a: Matrix, b: Matrix) => {
      calls++;
      return matmul(a, b);
    };
    const approx = await randomizedSvd(productWithSymmetricOperator(w, c, counting), 5, { seed: 2, powerIterations: 2 });
    const exact = svd(matmul(w, c), 5);
    for (let i = 0; i < 5; i++) assert.ok(Math.abs(approx.s[i] - exact.s[i]) < 1e-6 * exact.s[0], `σ_${i}`);
    assert.ok(calls > 0);
  });
});
