import { gradcheck } from '../../../../support/gradcheck';

const indices = (shape: number[], values: number[]) => ({ shape, dtype: 'int64' as const, values });

// Tolerance: relative 1e-6 (float64 finite differences, ε = 1e-6).
describe('GatherElements gradient', () => {
  it('axis 0 with repeated indices', () =>
    gradcheck({ op: 'GatherElements', inputs: [{ shape: [3, 2] }, indices([3, 2], [0, 1, 0, 0, 2, 0])] }));
  it('negative axis and negative indices, fewer rows than the data', () =>
    gradcheck({ op: 'GatherElements', inputs: [{ shape: [2, 4] }, indices([1, 3], [-1, 0, -1])], attrs: { axis: -1 } }));
  it('3-D, middle axis', () =>
    gradcheck({ op: 'GatherElements', inputs: [{ shape: [2, 3, 2] }, indices([2, 2, 2], [2, 0, 0, 0, 1, 1, 2, -3])], attrs: { axis: 1 } }));
});
