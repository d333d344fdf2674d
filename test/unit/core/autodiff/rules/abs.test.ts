import { gradcheck } from '../../../../support/gradcheck';

// Values of both signs at least 0.1 away from the kink at 0 (far beyond ε).
const awayFromZero = (n: number) => Array.from({ length: n }, (_, k) => (k % 2 ? -1 : 1) * (0.1 + ((k * 7) % 11) / 10));

// Tolerance: relative 1e-6 (float64 finite differences, ε = 1e-6).
describe('Abs gradient', () => {
  it('2-D', () => gradcheck({ op: 'Abs', inputs: [{ shape: [2, 3], values: awayFromZero(6), grad: true }] }));
  it('3-D', () => gradcheck({ op: 'Abs', inputs: [{ shape: [2, 3, 4], values: awayFromZero(24), grad: true }] }));
});
