// Oracle: the full EISPACK-style decomposition (symmetric-eigen.ts, itself tested against hand-derived values)
// and the defining identities. Tolerances, for matrices with entries O(1): eigenvalues 1e-10 absolute;
// residual ‖S·v − λ·v‖∞ ≤ 1e-9; VᵀV = I to 1e-9 (also inside clusters of equal eigenvalues).
import * as assert from 'assert';
import { Matrix, identity, matmul, matmulTransposeA, maxAbsDifference, scaleColumns, transpose } from '../../../../src/core/linalg/matrix';
import { qr } from '../../../../src/core/linalg/qr';
import { randomNormalMatrix, seededRng } from '../../../../src/core/linalg/random';
import { symmetricEigen } from '../../../../src/core/linalg/symmetric-eigen';
import { topSymmetricEigen } from '../../../../src/core/linalg/top-symmetric-eigen';

function randomSymmetric(n: number, seed: number): Matrix {
  const g = randomNormalMatrix(n, n, seededRng(seed));
  const s = matmul(g, transpose(g));
  return { rows: n, cols: n, data: s.data.map((v) => v / n) };
}

// Q·diag(λ)·Qᵀ with a random orthonormal Q.
function withSpectrum(values: number[], seed: number): Matrix {
  const n = values.length;
  const q = qr(randomNormalMatrix(n, n, seededRng(seed))).q;
  return matmul(scaleColumns(q, values), transpose(q));
}

function checkTop(s: Matrix, k: number): void {
  const top = topSymmetricEigen(s, k);
  const full = symmetricEigen(s);
  for (let i = 0; i < s.rows; i++) assert.ok(Math.abs(top.values[i] - full.values[i]) < 1e-10, `λ${i}: ${top.values[i]} vs ${full.values[i]}`);
  const sv = matmul(s, top.vectors);
  const lv = scaleColumns(top.vectors, top.values.subarray(0, k));
  assert.ok(maxAbsDifference(sv, lv) < 1e-9, `residual ${maxAbsDifference(sv, lv)}`);
  assert.ok(maxAbsDifference(matmulTransposeA(top.vectors, top.vectors), identity(k)) < 1e-9, 'vectors not orthonormal');
}

describe('linalg/top-symmetric-eigen', () => {
  it('agrees with the full decomposition on random symmetric matrices', () => {
    checkTop(randomSymmetric(60, 1), 8);
    checkTop(randomSymmetric(211, 2), 16);
    checkTop(randomSymmetric(5, 3), 5);
  });

  it('keeps repeated and clustered eigenvalues apart (orthonormal vectors spanning the eigenspace)', () => {
    checkTop(withSpectrum([5, 5, 5, 3, 3, 1, 0.5, 0.5, 0.25, 0, 0, 0], 4), 9);
    checkTop(withSpectrum([2, 2 - 1e-9, 2 - 2e-9, 1, 0.1, 0.1 + 1e-12], 5), 6);
  });

  it('handles diagonal, rank-deficient, zero and tiny matrices', () => {
    checkTop(withSpectrum([3, 0, 0, 0, 0, 0, 0], 6), 3);
    const diag = identity(4);
    diag.data[5] = 7;
    checkTop(diag, 4);
    checkTop({ rows: 3, cols: 3, data: new Float64Array(9) }, 2);
    checkTop({ rows: 1, cols: 1, data: Float64Array.from([-2]) }, 1);
    checkTop({ rows: 2, cols: 2, data: Float64Array.from([1, 2, 2, 1]) }, 2);
  });

  it('refuses a non-square matrix and an out-of-range k', () => {
    assert.throws(() => topSymmetricEigen({ rows: 2, cols: 3, data: new Float64Array(6) }, 1), /square/);
    assert.throws(() => topSymmetricEigen(identity(3), 4), /k = 4/);
  });
});
