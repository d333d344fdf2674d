import { gradcheck } from '../../../../support/gradcheck';

// Tolerance: relative 1e-6 (float64 finite differences, ε = 1e-6).
describe('Add gradient', () => {
  it('same shapes', () => gradcheck({ op: 'Add', inputs: [{ shape: [2, 3] }, { shape: [2, 3] }] }));
  it('broadcast trailing vector', () => gradcheck({ op: 'Add', inputs: [{ shape: [2, 3, 4] }, { shape: [4] }] }));
  it('broadcast size-1 axes both sides', () => gradcheck({ op: 'Add', inputs: [{ shape: [2, 1, 4] }, { shape: [3, 1] }] }));
  it('scalar operand', () => gradcheck({ op: 'Add', inputs: [{ shape: [2, 3] }, { shape: [] }] }));
  it('frozen second operand', () => gradcheck({ op: 'Add', inputs: [{ shape: [2, 3] }, { shape: [3], constant: true }] }));
});
