import { gradcheck } from '../../../../support/gradcheck';
import { axesInput, reduceAxesCases } from '../../../../support/reduce-axes-cases';

const op = 'ReduceMin';

// Tolerance: relative 1e-6 (float64 finite differences, ε = 1e-6).
describe(`${op} gradient`, () => {
  reduceAxesCases(op);
  // A two-way tie: the central difference is ½ for each tied entry, the even split (see reduce-max.test).
  it('a two-way tie splits the gradient evenly', () =>
    gradcheck({
      op,
      opset: 18,
      inputs: [{ shape: [2, 3], values: [0.5, -2, -2, 1, 0.25, -3], grad: true }, axesInput([-1])],
      attrs: { keepdims: 0 },
    }));
});
