import * as assert from 'assert';
import { appendSequenceClassificationLoss } from '../../../../src/core/loss/sequence-classification-loss';
import { encodeModel } from '../../../../src/core/onnx/model-codec';
import { DataType } from '../../../../src/core/onnx/types';
import { assertRelClose, checkHeadGradient, float64, int64, logitsModel, pseudoRandom, runModel } from './head-test-model';
import { classificationReference } from './reference-cross-entropy';

const dims = [5, 4];
const logits = pseudoRandom(5 * 4, 11);
const labels = [3, 0, -100, 2, 2];
const shape = [{ param: 'batch' }, { value: 4 }];

describe('appendSequenceClassificationLoss', () => {
  // Tolerance: relative 1e-12 (float64 graph vs float64 TypeScript reference).
  it('mean cross-entropy over the rows whose label is not −100', async () => {
    const head = appendSequenceClassificationLoss(logitsModel(shape));
    const out = await runModel(head.model, { x: float64(logits, dims), labels: int64(labels) });
    const ref = classificationReference(logits, dims, labels);
    assert.strictEqual(ref.counted, 4);
    assertRelClose(Number(out.loss.data[0]), ref.loss, 1e-12, 'loss');
  });

  // Tolerance: relative 1e-12 (float64).
  it('per-task losses', async () => {
    const head = appendSequenceClassificationLoss(logitsModel(shape), { tasks: { taskCount: 3, taskIdsName: 'task', outputName: 'per_task' } });
    const taskIds = [0, 1, 1, 0, 0];
    const out = await runModel(head.model, { x: float64(logits, dims), labels: int64(labels), task: int64(taskIds) });
    const ref = classificationReference(logits, dims, labels, taskIds, 3);
    assertRelClose(Number(out.loss.data[0]), ref.loss, 1e-12, 'loss');
    ref.taskLoss.forEach((l, t) => (l === 0 ? assert.strictEqual(Number(out.per_task.data[t]), 0) : assertRelClose(Number(out.per_task.data[t]), l, 1e-12, `task ${t}`)));
  });

  it('adds labels [batch] and leaves the input model untouched', () => {
    const model = logitsModel(shape);
    const before = encodeModel(model);
    const head = appendSequenceClassificationLoss(model);
    assert.deepStrictEqual(encodeModel(model), before);
    const labelsInput = head.model.graph.inputs.find((i) => i.name === 'labels')!;
    assert.deepStrictEqual([labelsInput.elemType, labelsInput.shape], [DataType.INT64, [{ param: 'batch' }]]);
    assert.throws(() => appendSequenceClassificationLoss(logitsModel([{ value: 2 }, { value: 3 }, { value: 4 }])), /rank 3, expected logits of rank 2/);
  });

  // Tolerance: relative 1e-6 (float64 central differences, ε = 1e-6).
  it('gradient with respect to the logits matches finite differences', async () => {
    const head = appendSequenceClassificationLoss(logitsModel(shape));
    const grad = await checkHeadGradient(head, { x: float64(logits, dims), labels: int64(labels) });
    for (let c = 0; c < 4; c++) assert.strictEqual(grad[2 * 4 + c], 0, 'the ignored row gets no gradient');
  });
});
