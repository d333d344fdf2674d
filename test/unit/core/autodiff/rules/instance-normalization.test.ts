import { gradcheck } from '../../../../support/gradcheck';

const op = 'InstanceNormalization';
const perChannel = (x: number[]) => [{ shape: x }, { shape: [x[1]] }, { shape: [x[1]] }];

// ONNX Runtime's CPU InstanceNormalization is float32 only.
// Tolerance: relative 2e-2 (float32 finite differences, ε = 1e-2).
describe('InstanceNormalization gradient (float32)', () => {
  it('(N, C, L)', () => gradcheck({ op, kind: 'float', inputs: perChannel([2, 3, 4]) }));
  it('(N, C, H, W), epsilon 1e-3', () =>
    gradcheck({ op, kind: 'float', inputs: perChannel([1, 2, 3, 2]), attrs: { epsilon: { float: 1e-3 } } }));
  it('frozen scale and bias: gradient for X only', () =>
    gradcheck({ op, kind: 'float', inputs: [{ shape: [2, 2, 3] }, { shape: [2], constant: true }, { shape: [2], constant: true }] }));
});
