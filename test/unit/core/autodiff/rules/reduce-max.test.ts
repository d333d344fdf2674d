import { gradcheck } from '../../../../support/gradcheck';
import { reduceAxesCases } from '../../../../support/reduce-axes-cases';

const op = 'ReduceMax';

// Tolerance: relative 1e-6 (float64 finite differences, ε = 1e-6).
describe(`${op} gradient`, () => {
  reduceAxesCases(op);
  // A two-way tie: the central difference at a tie is (ε − 0)/2ε = ½ for each tied entry, which is
  // exactly the even split; a 'first wins' rule would give 1 and 0 and fail.
  it('a two-way tie splits the gradient evenly', () =>
    gradcheck({
      op,
      opset: 13,
      inputs: [{ shape: [2, 3], values: [0.5, 2, 2, -1, 0.25, 3], grad: true }],
      attrs: { axes: [1], keepdims: 1 },
    }));
});
