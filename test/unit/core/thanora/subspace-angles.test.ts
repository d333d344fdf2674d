import * as assert from 'assert';
import { fromRows, matmul } from '../../../../src/core/linalg/matrix';
import { randomNormalMatrix, seededRng } from '../../../../src/core/linalg/random';
import { blockMapFor } from '../../../../src/core/thanora/block-map';
import { blockEffectiveRanks, moduleSubspaceAngles } from '../../../../src/core/thanora/subspace-angles';

describe('thanora/subspace-angles', () => {
  // Tolerance: 1e-9 degrees. Task 0 rows span {e1}, task 1 rows span {e2, e3}: orthogonal, 90°.
  // B: task 0 column e1, task 1 columns (e1 + e2)/…, e3: the closest pair is 45°, the other 90°.
  it('hand-derived angles in degrees on both sides, cooperative block ignored', () => {
    const a = fromRows([[1, 0, 0], [0, 1, 0], [0, 0, 2], [1, 1, 1]]);
    const b = fromRows([[1, 1, 0, 9], [0, 1, 0, 9], [0, 0, 1, 9]]);
    const r = moduleSubspaceAngles(a, b, blockMapFor([1, 2], 1));
    assert.strictEqual(r.pairs.length, 2);
    assert.ok(Math.abs(r.meanDegreesA - 90) < 1e-9 && Math.abs(r.minDegreesA - 90) < 1e-9);
    assert.ok(Math.abs(r.minDegreesB - 45) < 1e-9 && Math.abs(r.meanDegreesB - 45) < 1e-9);
  });
  it('a zero B block (LoRA at step 0) reports NaN instead of a fake angle', () => {
    const r = moduleSubspaceAngles(fromRows([[1, 0], [0, 1]]), fromRows([[0, 0], [0, 0]]), blockMapFor([1, 1], 0));
    assert.ok(Number.isNaN(r.meanDegreesB) && Math.abs(r.meanDegreesA - 90) < 1e-9);
  });
  // Tolerance: 1e-9. Block k of rank r_k with B_k·A_k of exactly equal singular values has erank r_k.
  it('effective rank per block and of ΔW', () => {
    const a = fromRows([[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0]]);
    const b = fromRows([[2, 0, 0], [0, 2, 0], [0, 0, 0], [0, 0, 0]]);
    const e = blockEffectiveRanks(a, b, blockMapFor([2], 1));
    assert.ok(Math.abs(e.blocks[0] - 2) < 1e-9);
    assert.strictEqual(e.blocks[1], 0);
    assert.ok(Math.abs(e.delta - 2) < 1e-9);
    const rng = seededRng(51);
    const bb = randomNormalMatrix(9, 3, rng);
    const aa = randomNormalMatrix(3, 8, rng);
    const direct = blockEffectiveRanks(aa, bb, blockMapFor([3], 0)).delta;
    const viaProduct = blockEffectiveRanks(matmul(bb, aa), fromRows(Array.from({ length: 9 }, (_, i) => Array.from({ length: 9 }, (_, j) => (i === j ? 1 : 0)))), blockMapFor([9], 0)).delta;
    assert.ok(Math.abs(direct - viaProduct) < 1e-9);
  });
});
