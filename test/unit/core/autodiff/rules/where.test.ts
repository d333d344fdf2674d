import { gradcheck } from '../../../../support/gradcheck';

const condition = (n: number) => Array.from({ length: n }, (_, k) => (k * 5) % 3 === 0 ? 1 : 0);

// Tolerance: relative 1e-6 (float64 finite differences, ε = 1e-6).
describe('Where gradient', () => {
  it('same shapes', () =>
    gradcheck({ op: 'Where', inputs: [{ shape: [2, 3], dtype: 'bool', values: condition(6) }, { shape: [2, 3] }, { shape: [2, 3] }] }));
  it('condition, X and Y broadcast against each other', () =>
    gradcheck({ op: 'Where', inputs: [{ shape: [3, 1], dtype: 'bool', values: [1, 0, 1] }, { shape: [2, 1, 4] }, { shape: [4] }] }));
  it('scalar Y (masked_fill)', () =>
    gradcheck({ op: 'Where', inputs: [{ shape: [2, 3], dtype: 'bool', values: condition(6) }, { shape: [2, 3] }, { shape: [] }] }));
  it('frozen Y', () =>
    gradcheck({
      op: 'Where',
      inputs: [{ shape: [2, 3], dtype: 'bool', values: condition(6) }, { shape: [2, 3] }, { shape: [3], constant: true }],
    }));
});
