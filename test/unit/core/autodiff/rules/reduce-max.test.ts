import { gradcheck } from '../../../../support/gradcheck';

const op = 'ReduceMax';
const axesInput = (axes: number[]) => ({ shape: [axes.length], dtype: 'int64' as const, values: axes, constant: true });

// Tolerance: relative 1e-6 (float64 finite differences, ε = 1e-6).
describe(`${op} gradient`, () => {
  for (const keepdims of [0, 1]) {
    it(`axes as attribute (opset 13), negative axis, keepdims ${keepdims}`, () =>
      gradcheck({ op, opset: 13, inputs: [{ shape: [2, 3, 4] }], attrs: { axes: [-2], keepdims } }));
    it(`axes as input (opset 18), two axes, keepdims ${keepdims}`, () =>
      gradcheck({ op, opset: 18, inputs: [{ shape: [2, 3, 4] }, axesInput([-1, 0])], attrs: { keepdims } }));
    it(`all axes, keepdims ${keepdims}`, () => gradcheck({ op, opset: 18, inputs: [{ shape: [2, 3] }], attrs: { keepdims } }));
  }
  it('noop_with_empty_axes = 1 is the identity', () =>
    gradcheck({ op, opset: 18, inputs: [{ shape: [2, 3] }], attrs: { keepdims: 0, noop_with_empty_axes: 1 } }));
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
