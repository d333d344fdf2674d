import * as assert from 'assert';
import { fromRows, identity, matmul, matmulTransposeA, maxAbsDifference, scaleColumns, transpose } from '../../../../src/core/linalg/matrix';
import { randomNormalMatrix, seededRng } from '../../../../src/core/linalg/random';
import { symmetricEigen } from '../../../../src/core/linalg/symmetric-eigen';

describe('linalg/symmetricEigen', () => {
  // Tolerance: 1e-12; [[2,1],[1,2]] has eigenvalues 3, 1 with vectors (1,1)/√2, (1,−1)/√2.
  it('matches hand-derived eigenpairs', () => {
    const { values, vectors } = symmetricEigen(fromRows([[2, 1], [1, 2]]));
    assert.ok(Math.abs(values[0] - 3) < 1e-12 && Math.abs(values[1] - 1) < 1e-12);
    assert.ok(Math.abs(Math.abs(vectors.data[0]) - Math.SQRT1_2) < 1e-12);
    assert.ok(Math.abs(vectors.data[0] - vectors.data[2]) < 1e-12);
  });
  // Tolerance: 1e-10 for V·Λ·Vᵀ = S and VᵀV = I on a random 30×30 symmetric matrix (‖S‖ ≈ 10).
  it('reconstructs a random symmetric matrix with orthonormal eigenvectors, values descending', () => {
    const rng = seededRng(11);
    const x = randomNormalMatrix(30, 30, rng);
    const s = fromRows(Array.from({ length: 30 }, (_, i) => Array.from({ length: 30 }, (_, j) => x.data[i * 30 + j] + x.data[j * 30 + i])));
    const { values, vectors } = symmetricEigen(s);
    assert.ok(maxAbsDifference(matmul(scaleColumns(vectors, values), transpose(vectors)), s) < 1e-10);
    assert.ok(maxAbsDifference(matmulTransposeA(vectors, vectors), identity(30)) < 1e-10);
    for (let i = 1; i < 30; i++) assert.ok(values[i - 1] >= values[i]);
  });
  // Tolerance: exact zero eigenvalues to 1e-12 for a rank-1 matrix.
  it('handles rank-deficient and diagonal input', () => {
    const { values } = symmetricEigen(fromRows([[1, 1, 1], [1, 1, 1], [1, 1, 1]]));
    assert.ok(Math.abs(values[0] - 3) < 1e-12 && Math.abs(values[1]) < 1e-12 && Math.abs(values[2]) < 1e-12);
    assert.deepStrictEqual(Array.from(symmetricEigen(fromRows([[1, 0], [0, 5]])).values), [5, 1]);
  });
});
