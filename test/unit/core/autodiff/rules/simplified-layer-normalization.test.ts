import { gradcheck } from '../../../../support/gradcheck';

// ONNX Runtime registers SimplifiedLayerNormalization in the default ONNX domain (com.microsoft has no such op).
const op = 'SimplifiedLayerNormalization';

describe('SimplifiedLayerNormalization gradient (RMSNorm)', () => {
  // Tolerance: relative 1e-6 (float64 finite differences, ε = 1e-6).
  describe('float64', () => {
    it('axis −1', () => gradcheck({ op, inputs: [{ shape: [2, 3, 4] }, { shape: [4] }] }));
    it('axis −2 with a broadcast (1, 4) scale, epsilon 1e-3', () =>
      gradcheck({ op, inputs: [{ shape: [2, 3, 4] }, { shape: [1, 4] }], attrs: { axis: -2, epsilon: { float: 1e-3 } } }));
    it('frozen scale: gradient for X only', () => gradcheck({ op, inputs: [{ shape: [3, 5] }, { shape: [5], constant: true }] }));
  });
  // inv_std_var comes back in float32 even for float64 X, so this case runs in float32.
  // Tolerance: relative 2e-2 (float32 finite differences, ε = 1e-2).
  it('float32 with inv_std_var in the loss', () =>
    gradcheck({ op, kind: 'float', outputs: 2, inputs: [{ shape: [2, 3, 4] }, { shape: [4] }] }));
});
