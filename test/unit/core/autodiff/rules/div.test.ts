import { gradcheck } from '../../../../support/gradcheck';

// Tolerance: relative 1e-6 (float64 finite differences, ε = 1e-6).
describe('Div gradient', () => {
  it('same shapes', () => gradcheck({ op: 'Div', inputs: [{ shape: [2, 3] }, { shape: [2, 3], positive: true }] }));
  it('broadcast trailing vector', () => gradcheck({ op: 'Div', inputs: [{ shape: [2, 3, 4] }, { shape: [4], positive: true }] }));
  it('broadcast size-1 axes both sides', () => gradcheck({ op: 'Div', inputs: [{ shape: [2, 1, 4] }, { shape: [3, 1], positive: true }] }));
  it('scalar operand', () => gradcheck({ op: 'Div', inputs: [{ shape: [2, 3] }, { shape: [], positive: true }] }));
  it('frozen second operand', () => gradcheck({ op: 'Div', inputs: [{ shape: [2, 3] }, { shape: [3], positive: true, constant: true }] }));
});
