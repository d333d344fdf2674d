import { gradcheck } from '../../../../support/gradcheck';

// Tolerance: relative 1e-6 (float64 finite differences, ε = 1e-6).
describe('Transpose gradient', () => {
  it('cyclic perm (inverse differs from perm)', () => gradcheck({ op: 'Transpose', inputs: [{ shape: [2, 3, 4] }], attrs: { perm: [2, 0, 1] } }));
  it('attention head split perm', () => gradcheck({ op: 'Transpose', inputs: [{ shape: [2, 3, 2, 2] }], attrs: { perm: [0, 2, 1, 3] } }));
  it('default perm reverses the axes', () => gradcheck({ op: 'Transpose', inputs: [{ shape: [2, 3, 4] }] }));
});
