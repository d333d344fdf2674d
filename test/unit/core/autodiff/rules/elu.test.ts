import { gradcheck } from '../../../../support/gradcheck';

// Values of both signs at least 0.1 away from the kink at 0 (ε = 1e-2 stays on one side).
const awayFromZero = (n: number) => Array.from({ length: n }, (_, k) => (k % 2 ? -1 : 1) * (0.1 + ((k * 7) % 11) / 10));

// ONNX Runtime's CPU Elu is float32 only. Tolerance: relative 1e-3 (float32 finite differences, ε = 1e-2; observed ≤ 4e-5).
describe('Elu gradient', () => {
  it('default alpha', () => gradcheck({ op: 'Elu', kind: 'float', tol: 1e-3, inputs: [{ shape: [2, 3], values: awayFromZero(6), grad: true }] }));
  it('alpha 0.7, 3-D', () =>
    gradcheck({ op: 'Elu', kind: 'float', tol: 1e-3, inputs: [{ shape: [2, 3, 4], values: awayFromZero(24), grad: true }], attrs: { alpha: { float: 0.7 } } }));
});
