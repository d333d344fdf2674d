import { gradcheck } from '../../../../support/gradcheck';

const repeats = (values: number[]) => ({ shape: [values.length], dtype: 'int64' as const, values, constant: true });

// Tolerance: relative 1e-6 (float64 finite differences, ε = 1e-6).
describe('Tile gradient', () => {
  it('2-D, both axes repeated', () => gradcheck({ op: 'Tile', inputs: [{ shape: [2, 3] }, repeats([2, 3])] }));
  it('3-D with a size-1 axis and a repeat of 1', () => gradcheck({ op: 'Tile', inputs: [{ shape: [2, 1, 3] }, repeats([1, 4, 2])] }));
  it('repeats as a graph input (not a constant)', () =>
    gradcheck({ op: 'Tile', inputs: [{ shape: [3] }, { shape: [1], dtype: 'int64', values: [3] }] }));
});
