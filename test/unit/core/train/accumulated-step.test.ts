// Gradient accumulation is exact: k micro-batches give the loss, per-task losses and gradients of one batch of
// all their rows, to float32 round-off (relative 1e-5 on the gradients' max-abs, 1e-6 on the losses), even
// when the micro-batches count different numbers of labels (the weights are n_i / N, not 1/k).
import * as assert from 'assert';
import * as path from 'path';
import { Batch } from '../../../../src/core/io/batch-file';
import { readPeftAdapter } from '../../../../src/core/io/peft-adapter';
import { readModelFile } from '../../../../src/core/onnx/model-file';
import { accumulatedStep, countedLabels } from '../../../../src/core/train/accumulated-step';
import { buildLoraTrainingGraph } from '../../../../src/core/train/lora-training-graph';
import { setupPeftLora } from '../../../../src/core/train/peft-lora-setup';
import { TrainStepSession } from '../../../../src/core/train/train-step-session';

const fixtures = path.join(__dirname, '../../../../../test/fixtures');

// 5 rows of 8 tokens, two tasks; labels −100 on a prompt prefix that differs per row, so the counts differ.
function mixedBatch(rows: number[]): Batch {
  const s = 8;
  const inputIds = new Int32Array(rows.length * s);
  const labels = new Int32Array(rows.length * s);
  rows.forEach((r, i) => {
    for (let j = 0; j < s; j++) {
      inputIds[i * s + j] = 3 + ((r * 31 + j * 7) % 90);
      labels[i * s + j] = j < 1 + r ? -100 : inputIds[i * s + j];
    }
  });
  return {
    batchSize: rows.length,
    seqLength: s,
    inputIds,
    attentionMask: new Int32Array(rows.length * s).fill(1),
    hasAttentionMask: true,
    labels,
    labelsDims: [rows.length, s],
    taskIds: Int32Array.from(rows, (r) => r % 2),
  };
}

function relMaxAbs(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  let m = 0;
  for (let i = 0; i < b.length; i++) {
    d = Math.max(d, Math.abs(a[i] - b[i]));
    m = Math.max(m, Math.abs(b[i]));
  }
  return d / m;
}

describe('gradient accumulation', function () {
  this.timeout(120000);

  it('counts the labels the loss counts (causal LM: labels[:, 1:], per task)', () => {
    const c = countedLabels(mixedBatch([0, 1, 2]), 'causal_lm', 2);
    // row r counts positions j ≥ max(1, 1 + r): 7, 6, 5
    assert.deepStrictEqual(c, { total: 18, perTask: [12, 6] });
  });

  it('micro-batches of 2 + 3 rows = one batch of 5 rows (tiny-llama, two tasks)', async () => {
    const dir = path.join(fixtures, 'tiny-llama');
    const model = readModelFile(path.join(dir, 'model.onnx'));
    const setup = setupPeftLora(model, readPeftAdapter(dir));
    const whole = mixedBatch([0, 1, 2, 3, 4]);
    const graph = await buildLoraTrainingGraph(model, { ...setup, taskCount: 2 }, whole);
    const session = await TrainStepSession.open(graph, { device: 'cpu', threads: 1 });
    try {
      const one = await accumulatedStep(session, [whole], setup.values, 'causal_lm', 2);
      const parts = await accumulatedStep(session, [mixedBatch([0, 1]), mixedBatch([2, 3, 4])], setup.values, 'causal_lm', 2);
      assert.ok(Math.abs(parts.loss - one.loss) <= 1e-6 * one.loss, `loss ${parts.loss} vs ${one.loss}`);
      one.perTaskLoss!.forEach((l, t) => assert.ok(Math.abs(parts.perTaskLoss![t] - l) <= 1e-6 * l, `task ${t}`));
      for (const [name, g] of one.grads) assert.ok(relMaxAbs(parts.grads.get(name)!, g) <= 1e-5, name);
      assert.strictEqual(parts.tokens, one.tokens);
      // Plain 1/k weights would be wrong: rows 0–1 count 7 + 6 labels, rows 2–4 count 5 + 4 + 3.
      const naive = (await session.run(mixedBatch([0, 1]), setup.values)).loss / 2 + (await session.run(mixedBatch([2, 3, 4]), setup.values)).loss / 2;
      assert.ok(Math.abs(naive - one.loss) > 1e-5 * one.loss, 'the test batch does not tell weighted from plain means');
    } finally {
      await session.release();
    }
  });
});
