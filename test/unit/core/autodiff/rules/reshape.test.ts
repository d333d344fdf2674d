import { gradcheck } from '../../../../support/gradcheck';

const shape = (values: number[]) => ({ shape: [values.length], dtype: 'int64' as const, values, constant: true });

// Tolerance: relative 1e-6 (float64 finite differences, ε = 1e-6; the gradient is an exact permutation).
describe('Reshape gradient', () => {
  it('3-D to 2-D with an inferred (-1) dim', () => gradcheck({ op: 'Reshape', inputs: [{ shape: [2, 3, 4] }, shape([4, -1])] }));
  it('0 copies the input dim', () => gradcheck({ op: 'Reshape', inputs: [{ shape: [2, 3, 4] }, shape([0, 2, -1])] }));
  it('opset 13 (no allowzero attribute)', () =>
    gradcheck({ op: 'Reshape', opset: 13, inputs: [{ shape: [6, 2] }, shape([3, 4])] }));
});
