import { gradcheck } from '../../../../support/gradcheck';

// αX + β lies at least 0.1 away from the kinks at 0 and 1: X ∈ ±{0.5, 1, 1.5, 2} is linear, ±{3, 4} saturated
// (default α = 0.2, β = 0.5: kinks at X = ±2.5).
const values = [0.5, -1, 1.5, -2, 3, -4, -0.5, 1, -1.5, 2, -3, 4];

// ONNX Runtime's CPU HardSigmoid is float32 only. Tolerance: relative 1e-3 (float32 finite differences, ε = 1e-2; observed ≤ 4e-5).
describe('HardSigmoid gradient', () => {
  it('default alpha/beta, linear and saturated elements', () =>
    gradcheck({ op: 'HardSigmoid', kind: 'float', tol: 1e-3, inputs: [{ shape: [3, 4], values, grad: true }] }));
  it('alpha 0.4, beta 0.3', () =>
    // Kinks at X = −0.75 and X = 1.75; the values stay ≥ 0.25 away from both.
    gradcheck({
      op: 'HardSigmoid',
      kind: 'float',
      tol: 1e-3,
      inputs: [{ shape: [2, 3], values: [-0.4, 0.5, 1.2, -1.5, 2.5, 0], grad: true }],
      attrs: { alpha: { float: 0.4 }, beta: { float: 0.3 } },
    }));
});
