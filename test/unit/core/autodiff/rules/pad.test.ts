import * as assert from 'assert';
import { gradcheck } from '../../../../support/gradcheck';

const ints = (values: number[]) => ({ shape: [values.length], dtype: 'int64' as const, values, constant: true });

// Tolerance: relative 1e-6 (float64 finite differences, ε = 1e-6).
describe('Pad gradient', () => {
  it('constant pad on both axes', () => gradcheck({ op: 'Pad', inputs: [{ shape: [2, 3] }, ints([0, 1, 2, 0])] }));
  it('negative pads crop', () => gradcheck({ op: 'Pad', inputs: [{ shape: [3, 4] }, ints([-1, 1, 0, -2])] }));
  it('pad value gets the border sum', () =>
    gradcheck({ op: 'Pad', inputs: [{ shape: [2, 2] }, ints([1, 0, 0, 2]), { shape: [] }] }));
  it('axes input with a negative axis (opset 18)', () =>
    gradcheck({ op: 'Pad', opset: 18, inputs: [{ shape: [2, 3, 2] }, ints([1, 2]), { shape: [], omitted: true }, ints([-2])] }));
  it('reflect mode fails with a named error', () =>
    assert.rejects(gradcheck({ op: 'Pad', inputs: [{ shape: [3, 3] }, ints([1, 1, 1, 1])], attrs: { mode: 'reflect' } }), /mode 'reflect'/));
});
