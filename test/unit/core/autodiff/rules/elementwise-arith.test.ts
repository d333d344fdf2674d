import { gradcheck } from '../../../../support/gradcheck';

// Tolerance: relative 1e-6 (float64 finite differences, ε = 1e-6).
for (const op of ['Add', 'Sub', 'Mul', 'Div']) {
  describe(`${op} gradient`, () => {
    const positive = op === 'Div';
    it('same shapes', () => gradcheck({ op, inputs: [{ shape: [2, 3] }, { shape: [2, 3], positive }] }));
    it('broadcast trailing vector', () => gradcheck({ op, inputs: [{ shape: [2, 3, 4] }, { shape: [4], positive }] }));
    it('broadcast size-1 axes both sides', () => gradcheck({ op, inputs: [{ shape: [2, 1, 4] }, { shape: [3, 1], positive }] }));
    it('scalar operand', () => gradcheck({ op, inputs: [{ shape: [2, 3] }, { shape: [], positive }] }));
  });
}
