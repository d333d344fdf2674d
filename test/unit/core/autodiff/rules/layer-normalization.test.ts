import { gradcheck } from '../../../../support/gradcheck';

const op = 'LayerNormalization';

describe('LayerNormalization gradient (opset 17)', () => {
  // Tolerance: relative 1e-6 (float64 finite differences, ε = 1e-6).
  describe('float64', () => {
    it('axis −1 with scale and bias', () => gradcheck({ op, inputs: [{ shape: [2, 3, 4] }, { shape: [4] }, { shape: [4] }] }));
    it('axis −2 (last two axes) with a full scale and a broadcast bias', () =>
      gradcheck({ op, inputs: [{ shape: [2, 3, 4] }, { shape: [3, 4] }, { shape: [4] }], attrs: { axis: -2 } }));
    it('axis 1 with a broadcast (1, 4) scale', () =>
      gradcheck({ op, inputs: [{ shape: [2, 3, 4] }, { shape: [1, 4] }, { shape: [1] }], attrs: { axis: 1 } }));
    it('no bias input, epsilon 1e-3', () =>
      gradcheck({ op, inputs: [{ shape: [3, 5] }, { shape: [5] }], attrs: { epsilon: { float: 1e-3 } } }));
    it('frozen scale and bias: gradient for X only', () =>
      gradcheck({ op, inputs: [{ shape: [2, 3, 4] }, { shape: [4], constant: true }, { shape: [4], constant: true }] }));
  });
  // ONNX Runtime returns Mean and InvStdDev in float32 even for float64 X (stash_type 1), so the case that puts
  // them into the loss runs in float32. Tolerance: relative 2e-2 (float32 finite differences, ε = 1e-2).
  describe('float32 with the Mean and InvStdDev outputs in the loss', () => {
    it('axis −1', () =>
      gradcheck({ op, kind: 'float', outputs: 3, inputs: [{ shape: [2, 3, 4] }, { shape: [4] }, { shape: [4] }] }));
    it('axis −2', () =>
      gradcheck({
        op,
        kind: 'float',
        outputs: 3,
        inputs: [{ shape: [2, 3, 4] }, { shape: [3, 4] }, { shape: [3, 4] }],
        attrs: { axis: -2 },
      }));
  });
});
