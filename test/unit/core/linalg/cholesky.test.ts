import * as assert from 'assert';
import { choleskySolve, cholesky, dampedCholesky, tryCholesky } from '../../../../src/core/linalg/cholesky';
import { fromRows, matmul, matmulTransposeA, matmulTransposeB, maxAbsDifference, zeros } from '../../../../src/core/linalg/matrix';
import { randomNormalMatrix, seededRng } from '../../../../src/core/linalg/random';

describe('linalg/cholesky', () => {
  // Tolerance: 1e-14 on a hand-derived factor (entries are small integers).
  it('factors a hand-derived SPD matrix', () => {
    const c = fromRows([[4, 12, -16], [12, 37, -43], [-16, -43, 98]]);
    const l = cholesky(c);
    const expected = fromRows([[2, 0, 0], [6, 1, 0], [-8, 5, 3]]);
    assert.ok(maxAbsDifference(l, expected) < 1e-14);
  });
  // Tolerance: 1e-10 relative to ‖C‖ ≈ 40 for L·Lᵀ = C and for C·(C⁻¹X) = X.
  it('L·Lᵀ = C and the solve inverts C on a random covariance', () => {
    const rng = seededRng(7);
    const x = randomNormalMatrix(40, 12, rng);
    const c = matmulTransposeA(x, x);
    const l = cholesky(c);
    assert.ok(maxAbsDifference(matmulTransposeB(l, l), c) < 1e-10);
    const rhs = randomNormalMatrix(12, 3, rng);
    assert.ok(maxAbsDifference(matmul(c, choleskySolve(l, rhs)), rhs) < 1e-10);
  });
  it('damping kicks in for a singular covariance and raises ε ×10 until the factorization succeeds', () => {
    const rng = seededRng(3);
    const x = randomNormalMatrix(2, 6, rng); // rank 2 in R^6: singular
    const c = matmulTransposeA(x, x);
    assert.strictEqual(tryCholesky(c), undefined);
    const first = dampedCholesky(c, 1e-4);
    assert.strictEqual(first.epsilon, 1e-4);
    // Tolerance: 1e-12 for the factor of the damped matrix.
    assert.ok(maxAbsDifference(matmulTransposeB(first.factor, first.factor), first.damped) < 1e-12);
    // A matrix with a negative eigenvalue −0.01·mean(diag) needs ε > 1e-2: tried 1e-4, 1e-3, 1e-2, 1e-1.
    const indefinite = fromRows([[1, 0], [0, -0.01]]);
    const raised = dampedCholesky(indefinite, 1e-4);
    assert.strictEqual(raised.attempts, 4);
    assert.ok(Math.abs(raised.epsilon - 1e-1) < 1e-15);
  });
  it('a zero covariance is damped to ε·I and a strongly indefinite matrix fails with a named error', () => {
    const z = dampedCholesky(zeros(3, 3), 1e-4);
    assert.ok(Math.abs(z.damped.data[0] - 1e-4) < 1e-18);
    assert.throws(() => dampedCholesky(fromRows([[1, 0], [0, -1e12]]), 1e-4, 3), /NotPositiveDefinite|stayed indefinite/);
  });
});
