import { gradcheck } from '../../../../support/gradcheck';

// Tolerance: relative 1e-6 (float64 finite differences, ε = 1e-6).
describe('Log gradient', () => {
  it('2-D', () => gradcheck({ op: 'Log', inputs: [{ shape: [2, 3], positive: true }] }));
  it('3-D', () => gradcheck({ op: 'Log', inputs: [{ shape: [2, 3, 4], positive: true }] }));
});
