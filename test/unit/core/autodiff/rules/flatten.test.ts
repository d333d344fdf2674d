import { gradcheck } from '../../../../support/gradcheck';

// Tolerance: relative 1e-6 (float64 finite differences, ε = 1e-6).
describe('Flatten gradient', () => {
  it('axis 2 of a 4-D tensor', () => gradcheck({ op: 'Flatten', inputs: [{ shape: [2, 3, 2, 2] }], attrs: { axis: 2 } }));
  it('negative axis', () => gradcheck({ op: 'Flatten', inputs: [{ shape: [2, 3, 4] }], attrs: { axis: -1 } }));
  it('axis 0 (one row)', () => gradcheck({ op: 'Flatten', inputs: [{ shape: [2, 3] }], attrs: { axis: 0 } }));
});
