import { gradcheck } from '../../../../support/gradcheck';

// Tolerance: relative 1e-6 (float64 finite differences, ε = 1e-6).
describe('Concat gradient', () => {
  it('three inputs of different sizes, negative axis', () =>
    gradcheck({ op: 'Concat', inputs: [{ shape: [2, 1] }, { shape: [2, 3] }, { shape: [2, 2] }], attrs: { axis: -1 } }));
  it('axis 0', () => gradcheck({ op: 'Concat', inputs: [{ shape: [1, 3] }, { shape: [2, 3] }], attrs: { axis: 0 } }));
  it('middle axis of 3-D (KV-cache style)', () =>
    gradcheck({ op: 'Concat', inputs: [{ shape: [2, 2, 2] }, { shape: [2, 1, 2] }], attrs: { axis: 1 } }));
  it('a constant input in the middle gets no gradient', () =>
    gradcheck({ op: 'Concat', inputs: [{ shape: [2, 2] }, { shape: [2, 3], constant: true }, { shape: [2, 1] }], attrs: { axis: 1 } }));
});
