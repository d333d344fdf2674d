import { gradcheck } from '../../../../support/gradcheck';

const op = 'LogSoftmax';

// Tolerance: relative 1e-6 (float64 finite differences, ε = 1e-6).
describe(`${op} gradient`, () => {
  describe('opset 13: one axis', () => {
    it('default axis (−1)', () => gradcheck({ op, opset: 13, inputs: [{ shape: [2, 3, 4] }] }));
    it('middle axis', () => gradcheck({ op, opset: 13, inputs: [{ shape: [2, 3, 4] }], attrs: { axis: 1 } }));
    it('negative first axis (−3)', () => gradcheck({ op, opset: 13, inputs: [{ shape: [2, 3, 4] }], attrs: { axis: -3 } }));
    it('rank 4 (attention scores), axis −1', () => gradcheck({ op, opset: 17, inputs: [{ shape: [1, 2, 2, 3] }] }));
  });
  describe('opset 11: input coerced to 2-D at axis', () => {
    it('default axis 1 normalises axes 1 and 2 together', () => gradcheck({ op, opset: 11, inputs: [{ shape: [2, 3, 4] }] }));
    it('axis −1 normalises the last axis', () => gradcheck({ op, opset: 11, inputs: [{ shape: [2, 3, 4] }], attrs: { axis: -1 } }));
    it('axis 0 normalises everything', () => gradcheck({ op, opset: 11, inputs: [{ shape: [2, 3] }], attrs: { axis: 0 } }));
  });
});
