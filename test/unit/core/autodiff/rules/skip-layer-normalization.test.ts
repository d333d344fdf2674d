import { gradcheck } from '../../../../support/gradcheck';

const op = 'SkipLayerNormalization';
const domain = 'com.microsoft';

// ONNX Runtime's CPU SkipLayerNormalization is float32 only (float64 is rejected by its type constraint).
// Tolerance: relative 2e-2 (float32 finite differences, ε = 1e-2).
describe('SkipLayerNormalization gradient (com.microsoft, float32)', () => {
  it('input, skip, gamma, beta, bias', () =>
    gradcheck({
      op,
      domain,
      kind: 'float',
      inputs: [{ shape: [2, 3, 4] }, { shape: [2, 3, 4] }, { shape: [4] }, { shape: [4] }, { shape: [4] }],
      attrs: { epsilon: { float: 1e-5 } },
    }));
  it('broadcast (s, h) skip, no beta or bias, default epsilon', () =>
    gradcheck({ op, domain, kind: 'float', inputs: [{ shape: [2, 3, 4] }, { shape: [3, 4] }, { shape: [4] }] }));
  it('all four outputs (mean, inv_std_var, input_skip_bias_sum) in the loss', () =>
    gradcheck({
      op,
      domain,
      kind: 'float',
      outputs: 4,
      inputs: [{ shape: [2, 3, 4] }, { shape: [1, 3, 4] }, { shape: [4] }, { shape: [4] }, { shape: [4] }],
      attrs: { epsilon: { float: 1e-5 } },
    }));
});
