import { gradcheck } from '../../../../support/gradcheck';

// Tolerance: relative 1e-6 (float64 finite differences, ε = 1e-6).
describe('Cos gradient', () => {
  it('2-D', () => gradcheck({ op: 'Cos', inputs: [{ shape: [2, 3] }] }));
  it('3-D', () => gradcheck({ op: 'Cos', inputs: [{ shape: [2, 3, 4] }] }));
});
