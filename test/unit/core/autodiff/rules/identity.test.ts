import { gradcheck } from '../../../../support/gradcheck';

// Tolerance: relative 1e-6 (float64 finite differences, ε = 1e-6).
describe('Identity gradient', () => {
  it('2-D', () => gradcheck({ op: 'Identity', inputs: [{ shape: [2, 3] }] }));
  it('scalar', () => gradcheck({ op: 'Identity', inputs: [{ shape: [] }] }));
});
