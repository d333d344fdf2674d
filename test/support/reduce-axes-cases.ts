// The axes/keepdims cases every Reduce* op (opset 18 form: axes as an input) shares, as mocha `it`s inside
// the caller's describe. Tolerance: gradcheck's float64 default, relative 1e-6 (ε = 1e-6).
import { gradcheck } from './gradcheck';

export const axesInput = (axes: number[]) => ({ shape: [axes.length], dtype: 'int64' as const, values: axes, constant: true });

export function reduceAxesCases(op: string): void {
  for (const keepdims of [0, 1]) {
    it(`axes as attribute (opset 13), negative axis, keepdims ${keepdims}`, () =>
      gradcheck({ op, opset: 13, inputs: [{ shape: [2, 3, 4] }], attrs: { axes: [-2], keepdims } }));
    it(`axes as input (opset 18), two axes, keepdims ${keepdims}`, () =>
      gradcheck({ op, opset: 18, inputs: [{ shape: [2, 3, 4] }, axesInput([-1, 0])], attrs: { keepdims } }));
    it(`all axes, keepdims ${keepdims}`, () => gradcheck({ op, opset: 18, inputs: [{ shape: [2, 3] }], attrs: { keepdims } }));
  }
  it('noop_with_empty_axes = 1 is the identity', () =>
    gradcheck({ op, opset: 18, inputs: [{ shape: [2, 3] }], attrs: { keepdims: 0, noop_with_empty_axes: 1 } }));
}
