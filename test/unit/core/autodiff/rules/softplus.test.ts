import { gradcheck } from '../../../../support/gradcheck';

// ONNX Runtime's CPU Softplus is float32 only. Tolerance: relative 1e-3 (float32 finite differences, ε = 1e-2; observed ≤ 4e-5).
describe('Softplus gradient', () => {
  it('2-D', () => gradcheck({ op: 'Softplus', kind: 'float', tol: 1e-3, inputs: [{ shape: [2, 3] }] }));
  it('3-D', () => gradcheck({ op: 'Softplus', kind: 'float', tol: 1e-3, inputs: [{ shape: [2, 3, 4] }] }));
});
