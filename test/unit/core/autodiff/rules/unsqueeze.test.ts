import { gradcheck } from '../../../../support/gradcheck';

const axes = (values: number[]) => ({ shape: [values.length], dtype: 'int64' as const, values, constant: true });

// Tolerance: relative 1e-6 (float64 finite differences, ε = 1e-6).
describe('Unsqueeze gradient', () => {
  it('axes as input, one negative (opset 13+)', () => gradcheck({ op: 'Unsqueeze', inputs: [{ shape: [2, 3] }, axes([0, -1])] }));
  it('axes as attribute (opset 11)', () => gradcheck({ op: 'Unsqueeze', opset: 11, inputs: [{ shape: [2, 3] }], attrs: { axes: [1] } }));
  it('scalar to [1]', () => gradcheck({ op: 'Unsqueeze', inputs: [{ shape: [] }, axes([0])] }));
});
