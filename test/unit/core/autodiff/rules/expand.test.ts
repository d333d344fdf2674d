import { gradcheck } from '../../../../support/gradcheck';

const shape = (values: number[]) => ({ shape: [values.length], dtype: 'int64' as const, values, constant: true });

// Tolerance: relative 1e-6 (float64 finite differences, ε = 1e-6).
describe('Expand gradient', () => {
  it('adds leading axes and stretches a size-1 axis', () => gradcheck({ op: 'Expand', inputs: [{ shape: [3, 1] }, shape([2, 3, 4])] }));
  it('vector to 3-D', () => gradcheck({ op: 'Expand', inputs: [{ shape: [4] }, shape([2, 3, 4])] }));
  it('target shape shorter than the input (broadcast both ways)', () =>
    gradcheck({ op: 'Expand', inputs: [{ shape: [2, 1, 4] }, shape([3, 1])] }));
  it('no-op expand', () => gradcheck({ op: 'Expand', inputs: [{ shape: [2, 3] }, shape([1, 1])] }));
});
