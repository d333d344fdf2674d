import { gradcheck } from '../../../../support/gradcheck';

// Values of both signs at least 0.3 away from the pole at 0.
const awayFromZero = (n: number) => Array.from({ length: n }, (_, k) => (k % 2 ? -1 : 1) * (0.3 + ((k * 7) % 11) / 10));

// Tolerance: relative 1e-6 (float64 finite differences, ε = 1e-6).
describe('Reciprocal gradient', () => {
  it('positive 2-D', () => gradcheck({ op: 'Reciprocal', inputs: [{ shape: [2, 3], positive: true }] }));
  it('both signs 3-D', () => gradcheck({ op: 'Reciprocal', inputs: [{ shape: [2, 3, 4], values: awayFromZero(24), grad: true }] }));
});
