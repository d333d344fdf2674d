import { gradcheck } from '../../../../support/gradcheck';

const axesInput = (axes: number[]) => ({ shape: [axes.length], dtype: 'int64' as const, values: axes, constant: true });

// Tolerance: relative 1e-6 (float64 finite differences, ε = 1e-6).
describe('ReduceSum gradient', () => {
  for (const keepdims of [0, 1]) {
    it(`axes as input (opset 13), negative axis, keepdims ${keepdims}`, () =>
      gradcheck({ op: 'ReduceSum', opset: 13, inputs: [{ shape: [2, 3, 4] }, axesInput([-2])], attrs: { keepdims } }));
    it(`two axes as input (opset 13), keepdims ${keepdims}`, () =>
      gradcheck({ op: 'ReduceSum', opset: 13, inputs: [{ shape: [2, 3, 4] }, axesInput([2, 0])], attrs: { keepdims } }));
    it(`axes as attribute (opset 11), keepdims ${keepdims}`, () =>
      gradcheck({ op: 'ReduceSum', opset: 11, inputs: [{ shape: [2, 3, 4] }], attrs: { axes: [-1, 0], keepdims } }));
    it(`all axes (no axes given), keepdims ${keepdims}`, () =>
      gradcheck({ op: 'ReduceSum', opset: 13, inputs: [{ shape: [2, 3] }], attrs: { keepdims } }));
  }
  it('noop_with_empty_axes = 1 without axes is the identity', () =>
    gradcheck({ op: 'ReduceSum', opset: 13, inputs: [{ shape: [2, 3] }], attrs: { keepdims: 0, noop_with_empty_axes: 1 } }));
  it('noop_with_empty_axes = 1 with an empty axes input is the identity', () =>
    gradcheck({ op: 'ReduceSum', opset: 13, inputs: [{ shape: [2, 3] }, axesInput([])], attrs: { keepdims: 0, noop_with_empty_axes: 1 } }));
  it('an empty axes input without noop_with_empty_axes reduces all axes', () =>
    gradcheck({ op: 'ReduceSum', opset: 13, inputs: [{ shape: [2, 3] }, axesInput([])], attrs: { keepdims: 0 } }));
});
