import * as assert from 'assert';
import { gradcheck } from '../../../../support/gradcheck';

// Labels are constant int64 initializers; −100 entries are ignored where ignore_index = −100.
const labels = (values: number[], shape: number[]) => ({ shape, dtype: 'int64' as const, constant: true, values });

// Tolerance: relative 1e-6 (float64 finite differences, ε = 1e-6; ONNX Runtime runs every op here in float64).
describe('SoftmaxCrossEntropyLoss gradient', () => {
  it('mean, no ignore_index', () =>
    gradcheck({ op: 'SoftmaxCrossEntropyLoss', inputs: [{ shape: [4, 5] }, labels([0, 4, 2, 2], [4])], attrs: { reduction: 'mean' } }));

  it('mean with ignored labels (ignore_index −100)', () =>
    gradcheck({
      op: 'SoftmaxCrossEntropyLoss',
      inputs: [{ shape: [5, 4] }, labels([3, -100, 0, -100, 1], [5])],
      attrs: { reduction: 'mean', ignore_index: -100 },
    }));

  it('sum with ignored labels', () =>
    gradcheck({
      op: 'SoftmaxCrossEntropyLoss',
      inputs: [{ shape: [4, 3] }, labels([2, -100, 1, 0], [4])],
      attrs: { reduction: 'sum', ignore_index: -100 },
    }));

  it('none with ignored labels (per-row loss)', () =>
    gradcheck({
      op: 'SoftmaxCrossEntropyLoss',
      inputs: [{ shape: [4, 3] }, labels([2, -100, 1, 0], [4])],
      attrs: { reduction: 'none', ignore_index: -100 },
    }));

  it('ignore_index that is a real class (1)', () =>
    gradcheck({
      op: 'SoftmaxCrossEntropyLoss',
      inputs: [{ shape: [4, 3] }, labels([1, 2, 1, 0], [4])],
      attrs: { reduction: 'mean', ignore_index: 1 },
    }));

  it('rank 3 scores [N, C, D] with ignored labels', () =>
    gradcheck({
      op: 'SoftmaxCrossEntropyLoss',
      inputs: [{ shape: [2, 4, 3] }, labels([0, 3, -100, 2, -100, 1], [2, 3])],
      attrs: { reduction: 'mean', ignore_index: -100 },
    }));

  it('class weights, mean over the weights of counted labels', () =>
    gradcheck({
      op: 'SoftmaxCrossEntropyLoss',
      inputs: [{ shape: [5, 3] }, labels([2, -100, 1, 0, 2], [5]), { shape: [3], constant: true, values: [0.5, 2, 1.25] }],
      attrs: { reduction: 'mean', ignore_index: -100 },
    }));

  it('class weights, reduction none', () =>
    gradcheck({
      op: 'SoftmaxCrossEntropyLoss',
      inputs: [{ shape: [4, 3] }, labels([2, 0, 1, 0], [4]), { shape: [3], constant: true, values: [0.5, 2, 1.25] }],
      attrs: { reduction: 'none' },
    }));

  it('log_prob output used downstream as well as the loss', () =>
    gradcheck({
      op: 'SoftmaxCrossEntropyLoss',
      inputs: [{ shape: [2, 4, 3] }, labels([0, 3, -100, 2, -100, 1], [2, 3])],
      attrs: { reduction: 'mean', ignore_index: -100 },
      outputs: 2,
    }));

  it('opset 12, rank 3 (Softmax cannot be used there; attribute axes)', () =>
    gradcheck({
      op: 'SoftmaxCrossEntropyLoss',
      inputs: [{ shape: [2, 4, 3] }, labels([0, 3, -100, 2, -100, 1], [2, 3])],
      attrs: { reduction: 'mean', ignore_index: -100 },
      opset: 12,
    }));

  it('refuses a gradient for trainable class weights', async () => {
    await assert.rejects(
      gradcheck({
        op: 'SoftmaxCrossEntropyLoss',
        inputs: [{ shape: [4, 3] }, labels([2, 0, 1, 0], [4]), { shape: [3], positive: true, grad: true }],
        attrs: { reduction: 'mean' },
      }),
      (e: Error) => e.name === 'GradientError' && /class weights 'x2'/.test(e.message),
    );
  });
});
