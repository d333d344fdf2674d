import * as assert from 'assert';
import { fromRows, matmul } from '../../../../src/core/linalg/matrix';
import { randomNormalMatrix, seededRng } from '../../../../src/core/linalg/random';
import { effectiveRank, effectiveRankOfSpectrum, principalAngles } from '../../../../src/core/linalg/subspaces';

describe('linalg/subspaces', () => {
  // Tolerance: 1e-12 rad. span(e1) vs span(cos30° e1 + sin30° e2) is 30°; e1 vs e2 is 90°.
  it('principal angles match hand-derived values', () => {
    const e1 = fromRows([[1], [0], [0]]);
    const tilted = fromRows([[Math.cos(Math.PI / 6)], [Math.sin(Math.PI / 6)], [0]]);
    assert.ok(Math.abs(principalAngles(e1, tilted)[0] - Math.PI / 6) < 1e-12);
    assert.ok(Math.abs(principalAngles(e1, fromRows([[0], [2], [0]]))[0] - Math.PI / 2) < 1e-12);
  });
  // Tolerance: 1e-7 rad (arccos near 1 loses half the digits). A subspace vs a re-mixed copy of itself: all 0.
  it('identical subspaces have zero angles whatever the basis', () => {
    const rng = seededRng(4);
    const x = randomNormalMatrix(10, 3, rng);
    const mixed = matmul(x, randomNormalMatrix(3, 3, rng));
    for (const a of principalAngles(x, mixed)) assert.ok(a < 1e-7);
  });
  // Tolerance: 1e-12. Equal σ over k values → erank k; one nonzero σ → 1.
  it('Roy–Vetterli effective rank', () => {
    assert.ok(Math.abs(effectiveRankOfSpectrum([2, 2, 2, 2]) - 4) < 1e-12);
    assert.ok(Math.abs(effectiveRankOfSpectrum([5, 0, 0]) - 1) < 1e-12);
    assert.strictEqual(effectiveRankOfSpectrum([0, 0]), 0);
    const rng = seededRng(2);
    const rank3 = matmul(randomNormalMatrix(8, 3, rng), randomNormalMatrix(3, 8, rng));
    const e = effectiveRank(rank3);
    assert.ok(e > 1 && e <= 3 + 1e-9);
  });
});
