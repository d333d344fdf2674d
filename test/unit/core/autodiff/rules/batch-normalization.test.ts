import * as assert from 'assert';
import { gradcheck } from '../../../../support/gradcheck';

const op = 'BatchNormalization';
const channels = (c: number, positive = false) => ({ shape: [c], positive });
const frozen = (c: number, positive = false) => ({ shape: [c], positive, constant: true });

// Inference mode: mean and var are inputs (running statistics); var is drawn positive.
// Tolerance: relative 1e-6 (float64 finite differences, ε = 1e-6).
describe('BatchNormalization gradient (inference mode)', () => {
  it('(N, C, L): gradients for X, scale, B, mean and var', () =>
    gradcheck({ op, opset: 15, inputs: [{ shape: [2, 3, 4] }, channels(3), channels(3), channels(3), channels(3, true)] }));
  it('(N, C): no spatial axes', () =>
    gradcheck({ op, opset: 15, inputs: [{ shape: [4, 3] }, channels(3), channels(3), channels(3), channels(3, true)] }));
  it('(N, C, H, W), opset 9, epsilon 1e-3, frozen running statistics', () =>
    gradcheck({
      op,
      opset: 9,
      inputs: [{ shape: [2, 2, 2, 3] }, channels(2), channels(2), frozen(2), frozen(2, true)],
      attrs: { epsilon: { float: 1e-3 } },
    }));
  it('training mode is refused with a message that says to export in eval mode', () =>
    assert.rejects(
      gradcheck({
        op,
        opset: 15,
        outputs: 3,
        inputs: [{ shape: [2, 3, 4] }, channels(3), channels(3), frozen(3), frozen(3, true)],
        attrs: { training_mode: 1 },
      }),
      /training mode.*eval mode/,
    ));
});
