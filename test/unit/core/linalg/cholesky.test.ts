import * as assert from 'assert';
import { cholesky, choleskySucceeds, dampCovariance, tryCholesky } from '../../../../src/core/linalg/cholesky';
import { Matrix, fromRows, matmulTransposeA, matmulTransposeB, maxAbsDifference, zeros } from '../../../../src/core/linalg/matrix';
import { randomNormalMatrix, seededRng } from '../../../../src/core/linalg/random';
import { jsMatmul } from '../../../../src/core/linalg/randomized-svd';

const shifted = (c: Matrix, shift: number): Matrix => {
  const d = { rows: c.rows, cols: c.cols, data: Float64Array.from(c.data) };
  for (let i = 0; i < c.rows; i++) d.data[i * c.cols + i] += shift;
  return d;
};

describe('linalg/cholesky', () => {
  // Tolerance: 1e-14 on a hand-derived factor (entries are small integers).
  it('factors a hand-derived SPD matrix', () => {
    const c = fromRows([[4, 12, -16], [12, 37, -43], [-16, -43, 98]]);
    const l = cholesky(c);
    const expected = fromRows([[2, 0, 0], [6, 1, 0], [-8, 5, 3]]);
    assert.ok(maxAbsDifference(l, expected) < 1e-14);
  });

  // Tolerance: 1e-10 relative to ‖C‖ ≈ 40 for L·Lᵀ = C.
  it('L·Lᵀ = C on a random covariance', () => {
    const x = randomNormalMatrix(40, 12, seededRng(7));
    const c = matmulTransposeA(x, x);
    const l = cholesky(c);
    assert.ok(maxAbsDifference(matmulTransposeB(l, l), c) < 1e-10);
  });

  it('the blocked factorization decides positive definiteness exactly as the plain one, on both sides of the edge', async () => {
    // C = XᵀX of rank 150 in R^300: singular. C + δI is positive definite for δ > 0 and indefinite for δ < 0.
    const x = randomNormalMatrix(150, 300, seededRng(11));
    const c = matmulTransposeA(x, x);
    const scale = c.data[0];
    for (const delta of [1e-3, -1e-3, 1e-8, -1e-8, 0.5, -0.5]) {
      const d = shifted(c, delta * scale);
      const plain = tryCholesky(d) !== undefined;
      assert.strictEqual(plain, delta > 0, `plain factorization at δ = ${delta}`);
      assert.strictEqual(await choleskySucceeds(d, jsMatmul, 0, 32), plain, `blocked (32) at δ = ${delta}`);
      assert.strictEqual(await choleskySucceeds(c, jsMatmul, delta * scale, 100), plain, `blocked (100), shift given, at δ = ${delta}`);
    }
  });

  it('damping kicks in for a singular covariance and raises ε ×10 until the factorization succeeds', async () => {
    const x = randomNormalMatrix(2, 6, seededRng(3)); // rank 2 in R^6: singular
    const c = matmulTransposeA(x, x);
    assert.strictEqual(tryCholesky(c), undefined);
    const first = await dampCovariance(c, jsMatmul, 1e-4);
    assert.strictEqual(first.epsilon, 1e-4);
    assert.strictEqual(first.attempts, 1);
    assert.ok(tryCholesky(shifted(c, first.shift)));
    assert.ok(Math.abs(first.shift - 1e-4 * (c.data.reduce((s, v, i) => (i % 7 === 0 ? s + v : s), 0) / 6)) < 1e-15);
    // A matrix with a negative eigenvalue −0.01·mean(diag) needs ε > 1e-2: tried 1e-4, 1e-3, 1e-2, 1e-1.
    const raised = await dampCovariance(fromRows([[1, 0], [0, -0.01]]), jsMatmul, 1e-4);
    assert.strictEqual(raised.attempts, 4);
    assert.ok(Math.abs(raised.epsilon - 1e-1) < 1e-15);
  });

  it('a zero covariance is damped to ε·I and a strongly indefinite matrix fails with a named error', async () => {
    const z = await dampCovariance(zeros(3, 3), jsMatmul, 1e-4);
    assert.ok(Math.abs(z.shift - 1e-4) < 1e-18);
    await assert.rejects(dampCovariance(fromRows([[1, 0], [0, -1e12]]), jsMatmul, 1e-4, 3), /NotPositiveDefinite|stayed indefinite/);
  });
});
