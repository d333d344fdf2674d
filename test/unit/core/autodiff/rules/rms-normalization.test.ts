import { gradcheck } from '../../../../support/gradcheck';

const op = 'RMSNormalization';

// Tolerance: relative 1e-6 (float64 finite differences, ε = 1e-6).
describe('RMSNormalization gradient (opset 23)', () => {
  it('axis −1', () => gradcheck({ op, opset: 23, inputs: [{ shape: [2, 3, 4] }, { shape: [4] }] }));
  it('axis −2 with a broadcast (1, 4) scale', () =>
    gradcheck({ op, opset: 23, inputs: [{ shape: [2, 3, 4] }, { shape: [1, 4] }], attrs: { axis: -2 } }));
  it('axis 1 of a rank-2 input with a full scale, epsilon 1e-3', () =>
    gradcheck({ op, opset: 23, inputs: [{ shape: [3, 5] }, { shape: [5] }], attrs: { axis: 1, epsilon: { float: 1e-3 } } }));
});
