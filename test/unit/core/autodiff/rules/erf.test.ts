import { gradcheck } from '../../../../support/gradcheck';

// ONNX Runtime's CPU Erf is float32 only. Tolerance: relative 1e-3 (float32 finite differences, ε = 1e-2; observed ≤ 4e-5).
describe('Erf gradient', () => {
  it('2-D', () => gradcheck({ op: 'Erf', kind: 'float', tol: 1e-3, inputs: [{ shape: [2, 3] }] }));
  it('3-D', () => gradcheck({ op: 'Erf', kind: 'float', tol: 1e-3, inputs: [{ shape: [2, 3, 4] }] }));
});
