import { gradcheck } from '../../../../support/gradcheck';

const axes = (values: number[]) => ({ shape: [values.length], dtype: 'int64' as const, values, constant: true });

// Tolerance: relative 1e-6 (float64 finite differences, ε = 1e-6).
describe('Squeeze gradient', () => {
  it('axes as input, one negative (opset 13+)', () => gradcheck({ op: 'Squeeze', inputs: [{ shape: [2, 1, 3, 1] }, axes([1, -1])] }));
  it('axes as attribute (opset 11)', () => gradcheck({ op: 'Squeeze', opset: 11, inputs: [{ shape: [1, 3, 1] }], attrs: { axes: [0] } }));
  it('no axes: every size-1 axis', () => gradcheck({ op: 'Squeeze', inputs: [{ shape: [1, 3, 1, 2] }] }));
});
