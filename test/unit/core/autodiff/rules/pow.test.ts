import * as assert from 'assert';
import { gradcheck } from '../../../../support/gradcheck';

// Tolerance: relative 1e-6 (float64 finite differences, ε = 1e-6) unless stated.
describe('Pow gradient', () => {
  it('constant exponent 2.0 (exporters square this way), base of both signs; no Pow in the backward', async () => {
    const r = await gradcheck({ op: 'Pow', inputs: [{ shape: [2, 3, 4] }, { shape: [], values: [2], constant: true }] });
    assert.ok(!r.backwardOps.includes('Pow'), r.backwardOps.join(', '));
  });
  it('constant exponent 1 passes the gradient through', async () => {
    const r = await gradcheck({ op: 'Pow', inputs: [{ shape: [2, 3] }, { shape: [], values: [1], constant: true }] });
    assert.ok(!r.backwardOps.includes('Pow'), r.backwardOps.join(', '));
  });
  it('constant exponent 0.5 on a positive base', () =>
    gradcheck({ op: 'Pow', inputs: [{ shape: [2, 3], positive: true }, { shape: [], values: [0.5], constant: true }] }));
  it('constant int64 exponent 3', () =>
    gradcheck({ op: 'Pow', inputs: [{ shape: [2, 3] }, { shape: [], dtype: 'int64', values: [3], constant: true }] }));
  // Tolerance: relative 1e-3 (float32 finite differences, ε = 1e-2; observed ≤ 4e-5).
  it('float32 base, float64 constant exponent', () =>
    gradcheck({ op: 'Pow', kind: 'float', tol: 1e-3, inputs: [{ shape: [2, 3] }, { shape: [], dtype: 'double', values: [3], constant: true }] }));
  it('tensor exponent, same shapes', () => gradcheck({ op: 'Pow', inputs: [{ shape: [2, 3], positive: true }, { shape: [2, 3] }] }));
  it('tensor exponent broadcast over the base', () =>
    gradcheck({ op: 'Pow', inputs: [{ shape: [2, 3, 4], positive: true }, { shape: [4] }] }));
  it('base broadcast over the exponent', () => gradcheck({ op: 'Pow', inputs: [{ shape: [3, 1], positive: true }, { shape: [2, 1, 4] }] }));
  it('trainable scalar exponent', () => gradcheck({ op: 'Pow', inputs: [{ shape: [2, 3], positive: true }, { shape: [] }] }));
});
