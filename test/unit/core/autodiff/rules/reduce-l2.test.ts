import { gradcheck } from '../../../../support/gradcheck';
import { reduceAxesCases } from '../../../../support/reduce-axes-cases';

const op = 'ReduceL2';

// Tolerance: relative 1e-6 (float64 finite differences, ε = 1e-6).
describe(`${op} gradient`, () => {
  reduceAxesCases(op);
  // Central differences at an all-zero slice give 0 (‖±εe‖ is symmetric), the subgradient the rule returns.
  it('an all-zero slice gets gradient 0, not NaN', () =>
    gradcheck({
      op,
      opset: 13,
      inputs: [{ shape: [2, 3], values: [0, 0, 0, 1, -2, 0.5], grad: true }],
      attrs: { axes: [1], keepdims: 0 },
    }));
});
