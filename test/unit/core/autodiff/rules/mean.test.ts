import { gradcheck } from '../../../../support/gradcheck';

// ONNX Runtime's CPU Mean is float32 only. Tolerance: relative 1e-3 (float32 finite differences, ε = 1e-2; observed ≤ 4e-5).
describe('Mean gradient', () => {
  it('two inputs, same shapes', () => gradcheck({ op: 'Mean', kind: 'float', tol: 1e-3, inputs: [{ shape: [2, 3] }, { shape: [2, 3] }] }));
  it('three inputs with broadcast', () =>
    gradcheck({ op: 'Mean', kind: 'float', tol: 1e-3, inputs: [{ shape: [2, 3, 4] }, { shape: [4] }, { shape: [3, 1] }] }));
  it('single input', () => gradcheck({ op: 'Mean', kind: 'float', tol: 1e-3, inputs: [{ shape: [2, 3] }] }));
});
