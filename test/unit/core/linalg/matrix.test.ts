import * as assert from 'assert';
import { fromRows, matmul, matmulTransposeA, matmulTransposeB, maxAbsDifference, sliceCols, sliceRows, transpose } from '../../../../src/core/linalg/matrix';
import { randomNormalMatrix, seededRng } from '../../../../src/core/linalg/random';

// Tolerance: exact (small integers) for hand-derived products; 1e-12 for the transpose variants.
describe('linalg/matrix', () => {
  it('matmul matches a hand-derived product', () => {
    const a = fromRows([[1, 2, 3], [4, 5, 6]]);
    const b = fromRows([[7, 8], [9, 10], [11, 12]]);
    assert.deepStrictEqual(Array.from(matmul(a, b).data), [58, 64, 139, 154]);
  });
  it('AᵀB and ABᵀ agree with explicit transposes', () => {
    const rng = seededRng(1);
    const a = randomNormalMatrix(5, 3, rng);
    const b = randomNormalMatrix(5, 4, rng);
    const c = randomNormalMatrix(6, 3, rng);
    assert.ok(maxAbsDifference(matmulTransposeA(a, b), matmul(transpose(a), b)) < 1e-12);
    assert.ok(maxAbsDifference(matmulTransposeB(a, c), matmul(a, transpose(c))) < 1e-12);
  });
  it('rejects mismatched inner dimensions with both shapes in the message', () => {
    assert.throws(() => matmul(fromRows([[1, 2]]), fromRows([[1, 2]])), /1×2.*1×2/);
  });
  it('slices rows and columns', () => {
    const m = fromRows([[1, 2, 3], [4, 5, 6], [7, 8, 9]]);
    assert.deepStrictEqual(Array.from(sliceRows(m, 1, 3).data), [4, 5, 6, 7, 8, 9]);
    assert.deepStrictEqual(Array.from(sliceCols(m, 1, 2).data), [2, 5, 8]);
  });
});
