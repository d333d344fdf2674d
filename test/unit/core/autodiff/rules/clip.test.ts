import { gradcheck } from '../../../../support/gradcheck';

// Values at least 0.1 away from the bounds −0.5 and 0.8 used below, some inside and some outside.
const values = [-1.2, -0.6, -0.3, 0, 0.4, 0.7, 0.9, 1.5, -0.4, 0.2, 1.1, -2];

describe('Clip gradient', () => {
  // Tolerance: relative 1e-6 (float64 finite differences, ε = 1e-6).
  it('min and max inputs (opset 11+)', () =>
    gradcheck({
      op: 'Clip',
      inputs: [{ shape: [3, 4], values, grad: true }, { shape: [], values: [-0.5], constant: true }, { shape: [], values: [0.8], constant: true }],
    }));
  it('max only (min omitted)', () =>
    gradcheck({ op: 'Clip', inputs: [{ shape: [3, 4], values, grad: true }, { shape: [], omitted: true }, { shape: [], values: [0.8], constant: true }] }));
  it('min only (max absent)', () =>
    gradcheck({ op: 'Clip', inputs: [{ shape: [3, 4], values, grad: true }, { shape: [], values: [-0.5], constant: true }] }));
  it('no bounds (identity)', () => gradcheck({ op: 'Clip', inputs: [{ shape: [2, 3] }] }));
  it('trainable bounds get the gradient of the clipped elements', () =>
    gradcheck({
      op: 'Clip',
      inputs: [{ shape: [3, 4], values, grad: true }, { shape: [], values: [-0.5], grad: true }, { shape: [], values: [0.8], grad: true }],
    }));
  // Opset 6–10 Clip takes float attributes and has a float32 kernel only.
  // Tolerance: relative 1e-3 (float32 finite differences, ε = 1e-2; observed ≤ 4e-5).
  it('min/max attributes (opset 10)', () =>
    gradcheck({
      op: 'Clip',
      opset: 10,
      kind: 'float',
      tol: 1e-3,
      inputs: [{ shape: [3, 4], values, grad: true }],
      attrs: { min: { float: -0.5 }, max: { float: 0.8 } },
    }));
});
