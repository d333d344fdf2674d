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
  it("over σ² takes the shares from the energies: [2, 1] gives p = (4/5, 1/5), the entropy over σ of [4, 1]", () => {
    const expected = -(0.8 * Math.log(0.8) + 0.2 * Math.log(0.2)) / Math.log(2);
    assert.ok(Math.abs(spectralEntropy([2, 1], 2, 'sigma2') - expected) < 1e-12);
    assert.ok(Math.abs(spectralEntropy([2, 1], 2, 'sigma2') - spectralEntropy([4, 1])) < 1e-12);
    // Squaring sharpens every non-flat spectrum, and leaves flat ones at 1.
    assert.ok(spectralEntropy([5, 3, 2, 1], 4, 'sigma2') < spectralEntropy([5, 3, 2, 1], 4));
    assert.ok(Math.abs(spectralEntropy([3, 3, 3], 3, 'sigma2') - 1) < 1e-12);
  });
  it('rejects negative or NaN singular values and K < 1', () => {
    assert.throws(() => spectralEntropy([1, -1]), /singular value 1/);
    assert.throws(() => spectralEntropy([1, NaN]), /singular value 1/);
    assert.throws(() => spectralEntropy([1], 0), /positive integer/);
  });
});
