import { gradcheck } from '../../../../support/gradcheck';

// Gelu is an opset-20 op. Its exact form runs Erf, which ONNX Runtime's CPU has in float32 only; the tanh
// form runs in float64.
describe('Gelu gradient', () => {
  // Tolerance: relative 1e-3 (float32 finite differences, ε = 1e-2; observed ≤ 4e-5).
  it("approximate 'none' (exact, float32)", () => gradcheck({ op: 'Gelu', opset: 20, kind: 'float', tol: 1e-3, inputs: [{ shape: [2, 3, 4] }] }));
  // Tolerance: relative 1e-6 (float64 finite differences, ε = 1e-6).
  it("approximate 'tanh' (float64)", () =>
    gradcheck({ op: 'Gelu', opset: 20, inputs: [{ shape: [2, 3, 4] }], attrs: { approximate: 'tanh' } }));
  it("approximate 'tanh' on large |X| (saturated tanh)", () =>
    gradcheck({ op: 'Gelu', opset: 20, inputs: [{ shape: [4], values: [-4, -2.5, 2.5, 4], grad: true }], attrs: { approximate: 'tanh' } }));
});

describe('com.microsoft Gelu gradient (exact form)', () => {
  // Tolerance: relative 1e-3 (float32 finite differences, ε = 1e-2; observed ≤ 4e-5).
  it('3-D', () => gradcheck({ op: 'Gelu', domain: 'com.microsoft', kind: 'float', tol: 1e-3, inputs: [{ shape: [2, 3, 4] }] }));
});
