import * as assert from 'assert';
import { spectralEntropy } from '../../../../src/core/thanora/spectral-entropy';

// Tolerance: 1e-12 on hand-derived values.
describe('thanora/spectralEntropy', () => {
  it('is 1 for a flat spectrum and 0 for a single direction', () => {
    assert.ok(Math.abs(spectralEntropy([3, 3, 3, 3]) - 1) < 1e-12);
    assert.ok(Math.abs(spectralEntropy([7, 0, 0, 0])) < 1e-12);
  });
  it('two equal values out of K = 4 give ln 2 / ln 4 = 0.5; missing values count as zeros', () => {
    assert.ok(Math.abs(spectralEntropy([1, 1, 0, 0]) - 0.5) < 1e-12);
    assert.ok(Math.abs(spectralEntropy([1, 1], 4) - 0.5) < 1e-12);
  });
  it('is scale invariant and uses only the top K values', () => {
    const s = [5, 3, 2, 1, 0.5];
    assert.ok(Math.abs(spectralEntropy(s, 3) - spectralEntropy(s.map((x) => 10 * x), 3)) < 1e-12);
    assert.ok(Math.abs(spectralEntropy(s, 3) - spectralEntropy([5, 3, 2])) < 1e-12);
  });
  it('rejects negative or NaN singular values and K < 1', () => {
    assert.throws(() => spectralEntropy([1, -1]), /singular value 1/);
    assert.throws(() => spectralEntropy([1, NaN]), /singular value 1/);
    assert.throws(() => spectralEntropy([1], 0), /positive integer/);
  });
});
