import * as assert from 'assert';
import * as ort from 'onnxruntime-node';
import { appendCausalLmLoss } from '../../../../src/core/loss/causal-lm-loss';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ROW_CROSS_ENTROPY } from '../../../../src/core/loss/row-cross-entropy';
import { decodeModel, encodeModel } from '../../../../src/core/onnx/model-codec';
import { openSession } from '../../../../src/core/runtime/session';
import { floatToHalf, halfToFloat } from '../../../../src/core/onnx/tensor-data';
import { DataType } from '../../../../src/core/onnx/types';
import { assertRelClose, checkHeadGradient, float64, int64, logitsModel, pseudoRandom, runModel } from './head-test-model';
import { causalLmReference } from './reference-cross-entropy';

const dims = [3, 5, 7];
const logits = pseudoRandom(3 * 5 * 7);
// Row 0: prompt masked; row 1: all counted; row 2: padding at the end. labels[:, 0] is never predicted.
const labels = [
  [-100, -100, 4, 6, 0],
  [1, 2, 3, 5, 6],
  [-100, 0, 2, -100, -100],
];
const dynamicShape = [{ param: 'batch' }, { param: 'seq' }, { value: 7 }];

describe('appendCausalLmLoss', () => {
  // Tolerance: relative 1e-12 (float64 graph vs float64 TypeScript reference).
  it('matches the Hugging Face loss (shifted labels, −100 ignored, mean over counted tokens)', async () => {
    const head = appendCausalLmLoss(logitsModel(dynamicShape));
    const out = await runModel(head.model, { x: float64(logits, dims), labels: int64(labels) });
    const ref = causalLmReference(logits, dims, labels);
    assert.strictEqual(ref.counted, 9);
    assertRelClose(Number(out.loss.data[0]), ref.loss, 1e-12, 'loss');
    assert.deepStrictEqual(out.loss.dims, []);
  });

  // Tolerance: relative 1e-6 (float32 softmax over 7 classes).
  it('float32 logits give a float32 loss', async () => {
    const head = appendCausalLmLoss(logitsModel(dynamicShape, DataType.FLOAT));
    const out = await runModel(head.model, { x: new ort.Tensor('float32', Float32Array.from(logits), dims), labels: int64(labels) });
    assert.strictEqual(out.loss.type, 'float32');
    assertRelClose(Number(out.loss.data[0]), causalLmReference(Float32Array.from(logits), dims, labels).loss, 1e-6, 'loss');
  });

  // Tolerance: relative 1e-6 (the loss runs in float32 on the float16 values, the reference in float64 on the same).
  it('float16 logits are widened to float32 for the loss', async () => {
    const head = appendCausalLmLoss(logitsModel(dynamicShape, DataType.FLOAT16));
    assert.ok(head.model.graph.nodes.some((n) => n.opType === 'Cast' && n.inputs[0] === 'logits'));
    const halves = Uint16Array.from(logits, floatToHalf);
    const out = await runModel(head.model, { x: new ort.Tensor('float16', halves, dims), labels: int64(labels) });
    assert.strictEqual(out.loss.type, 'float32');
    assertRelClose(Number(out.loss.data[0]), causalLmReference(Array.from(halves, halfToFloat), dims, labels).loss, 1e-6, 'loss');
  });

  // Tolerance: relative 1e-12 (float64).
  it('works when the vocabulary size is not in the declared output shape', async () => {
    const head = appendCausalLmLoss(logitsModel([{ param: 'batch' }, { param: 'seq' }, { param: 'vocab' }]));
    const out = await runModel(head.model, { x: float64(logits, dims), labels: int64(labels) });
    assertRelClose(Number(out.loss.data[0]), causalLmReference(logits, dims, labels).loss, 1e-12, 'loss');
  });

  // Tolerance: relative 1e-12 (float64); a task with no counted token must be exactly 0.
  it('per-task losses for a mixed-task batch, main loss unchanged', async () => {
    const head = appendCausalLmLoss(logitsModel(dynamicShape), { tasks: { taskCount: 3 }, lossName: 'lm_loss' });
    assert.deepStrictEqual(head.names, { logits: 'logits', labels: 'labels', loss: 'lm_loss', taskIds: 'task_ids', taskLoss: 'task_loss' });
    const taskIds = [2, 0, 2];
    const out = await runModel(head.model, { x: float64(logits, dims), labels: int64(labels), task_ids: int64(taskIds) });
    const ref = causalLmReference(logits, dims, labels, taskIds, 3);
    assertRelClose(Number(out.lm_loss.data[0]), ref.loss, 1e-12, 'loss');
    assert.deepStrictEqual(out.task_loss.dims, [3]);
    assertRelClose(Number(out.task_loss.data[0]), ref.taskLoss[0], 1e-12, 'task 0 loss');
    assert.strictEqual(Number(out.task_loss.data[1]), 0);
    assertRelClose(Number(out.task_loss.data[2]), ref.taskLoss[2], 1e-12, 'task 2 loss');
    // The main loss is the token mean, not the mean of task means.
    assert.ok(Math.abs(ref.loss - (ref.taskLoss[0] + ref.taskLoss[2]) / 2) > 1e-3);
  });

  it('returns a new model and leaves the input untouched', () => {
    const model = logitsModel(dynamicShape);
    const before = encodeModel(model);
    const head = appendCausalLmLoss(model, { tasks: { taskCount: 2 } });
    assert.deepStrictEqual(encodeModel(model), before);
    assert.deepStrictEqual(
      head.model.graph.inputs.map((i) => [i.name, i.elemType, i.shape?.map((d) => d.param ?? d.value)]),
      [
        ['x', DataType.DOUBLE, ['batch', 'seq', 7]],
        ['labels', DataType.INT64, ['batch', 'seq']],
        ['task_ids', DataType.INT64, ['batch']],
      ],
    );
    assert.deepStrictEqual(head.model.graph.outputs.map((o) => o.name), ['loss', 'task_loss', 'logits']);
    assert.deepStrictEqual(appendCausalLmLoss(model, { keepOutputs: false }).model.graph.outputs.map((o) => o.name), ['loss']);
  });

  it('refuses clashing names, unknown outputs, wrong rank and old opsets, naming each', () => {
    const model = logitsModel(dynamicShape);
    assert.throws(() => appendCausalLmLoss(model, { labelsName: 'x' }), /cannot add the labels input 'x': the model already has/);
    assert.throws(() => appendCausalLmLoss(model, { logits: 'scores' }), /no output 'scores' \(outputs: 'logits'\)/);
    assert.throws(() => appendCausalLmLoss(logitsModel([{ value: 2 }, { value: 7 }])), /rank 2, expected logits of rank 3/);
    assert.throws(() => appendCausalLmLoss(logitsModel(dynamicShape, DataType.DOUBLE, 11)), /opset 11.*needs opset ≥ 12/);
    assert.throws(() => appendCausalLmLoss(model, { tasks: { taskCount: 0 } }), /taskCount must be a positive integer/);
  });

  // Tolerance: relative 1e-6 (float64 central differences, ε = 1e-6).
  it('gradient with respect to the logits matches finite differences', async () => {
    const head = appendCausalLmLoss(logitsModel(dynamicShape));
    const grad = await checkHeadGradient(head, { x: float64(logits, dims), labels: int64(labels) });
    // Positions whose next label is ignored (row 0, t = 0) and the last position get no gradient.
    for (const t of [0, 4]) for (let v = 0; v < 7; v++) assert.strictEqual(grad[t * 7 + v], 0);
  });

  // Tolerance: relative 1e-6 (float64 central differences, ε = 1e-6).
  it('gradient matches finite differences with per-task outputs (reduction none path)', async () => {
    const head = appendCausalLmLoss(logitsModel(dynamicShape), { tasks: { taskCount: 2 } });
    await checkHeadGradient(head, { x: float64(logits, dims), labels: int64(labels), task_ids: int64([1, 0, 1]) });
  });

  // The cross-entropy is the model-local RowCrossEntropy function: ONNX Runtime inlines it, and its one
  // LogSoftmax runs on the last axis of [N, C] (SoftmaxCrossEntropyLoss's own body would run it on a
  // [N, C, 1] view, several times slower at 150k classes). The function survives encode/decode unchanged.
  it('computes the cross-entropy through its model-local function, LogSoftmax on [N, C]', async () => {
    const head = appendCausalLmLoss(logitsModel(dynamicShape));
    const fn = head.model.functions?.find((f) => f.name === ROW_CROSS_ENTROPY);
    assert.ok(fn && head.model.opsetImports.some((o) => o.domain === fn.domain));
    assert.deepStrictEqual(decodeModel(encodeModel(head.model)).functions, head.model.functions);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'row-ce-'));
    try {
      const { session } = await openSession(encodeModel(head.model), { device: 'cpu', threads: 1, profileFilePrefix: path.join(dir, 'p') });
      await session.run({ x: float64(logits, dims), labels: int64(labels) });
      session.endProfiling();
      await session.release();
      const events = JSON.parse(fs.readFileSync(path.join(dir, fs.readdirSync(dir)[0]), 'utf8')) as { args?: { op_name?: string; input_type_shape?: Record<string, number[]>[] } }[];
      const logSoftmax = events.filter((e) => e.args?.op_name === 'LogSoftmax');
      assert.strictEqual(logSoftmax.length, 1);
      assert.deepStrictEqual(Object.values(logSoftmax[0].args!.input_type_shape![0])[0], [15, 7]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
