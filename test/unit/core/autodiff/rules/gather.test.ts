import * as assert from 'assert';
import { gradcheck } from '../../../../support/gradcheck';

const indices = (shape: number[], values: number[], dtype: 'int64' | 'int32' = 'int64') => ({ shape, dtype, values });

// Tolerance: relative 1e-6 (float64 finite differences, ε = 1e-6).
describe('Gather gradient', () => {
  it('embedding lookup with repeated tokens accumulates', () =>
    gradcheck({ op: 'Gather', inputs: [{ shape: [5, 3] }, indices([2, 3], [0, 2, 0, 4, 2, 2])] }));
  it('negative indices count from the end', () =>
    gradcheck({ op: 'Gather', inputs: [{ shape: [4, 2] }, indices([3], [-1, 0, -1])] }));
  it('int32 indices', () => gradcheck({ op: 'Gather', inputs: [{ shape: [3, 2] }, indices([2], [2, 2], 'int32')] }));
  it('axis 1 with 2-D indices and repeats', () =>
    gradcheck({ op: 'Gather', inputs: [{ shape: [2, 4, 3] }, indices([2, 2], [3, 1, 3, -4])], attrs: { axis: 1 } }));
  it('axis −1 with a scalar index (drops the axis)', () =>
    gradcheck({ op: 'Gather', inputs: [{ shape: [2, 3, 4] }, indices([], [-2])], attrs: { axis: -1 } }));
  it('opset 15 fails with a named error', () =>
    assert.rejects(gradcheck({ op: 'Gather', opset: 15, inputs: [{ shape: [3, 2] }, indices([1], [0])] }), /need opset ≥ 16/));
});
