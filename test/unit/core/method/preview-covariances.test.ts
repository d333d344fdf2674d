// previewCovariances against a JS oracle: the activation X feeding layer-0 q_proj of tiny-llama is taken out
// of the graph as an output, and C = Σ XᵀX / n over the positions with attention_mask 1 and label ≠ −100 is
// summed in float64 here. Tolerance: 1e-5 relative to max|C| (float32 XᵀX per batch in ONNX Runtime).
import * as assert from 'assert';
import * as path from 'path';
import { Batch, readBatchFile } from '../../../../src/core/io/batch-file';
import { indexGraph } from '../../../../src/core/lora/graph-index';
import { resolveTargets } from '../../../../src/core/lora/resolve-targets';
import { readModelFile } from '../../../../src/core/onnx/model-file';
import { DataType, ModelProto } from '../../../../src/core/onnx/types';
import { firstRows, previewTokenMask, takeSamples } from '../../../../src/core/method/preview-batches';
import { previewCovariances } from '../../../../src/core/method/preview-covariances';
import { fixtures, llamaTargets, range, runOutput, syntheticBatches } from './method-fixtures';

function withOutput(model: ModelProto, name: string): ModelProto {
  return { ...model, graph: { ...model.graph, outputs: [...model.graph.outputs, { name, elemType: DataType.FLOAT }] } };
}

async function oracle(model: ModelProto, activation: string, batches: Batch[], dIn: number): Promise<{ c: Float64Array; tokens: number }> {
  const sum = new Float64Array(dIn * dIn);
  let tokens = 0;
  for (const batch of batches) {
    const x = await runOutput(withOutput(model, activation), batch, {}, activation);
    batch.labels.forEach((label, p) => {
      if (batch.attentionMask[p] !== 1 || label === -100) return;
      tokens++;
      for (let i = 0; i < dIn; i++) for (let j = 0; j < dIn; j++) sum[i * dIn + j] += x[p * dIn + i] * x[p * dIn + j];
    });
  }
  return { c: sum.map((v) => v / tokens), tokens };
}

describe('method/preview-covariances', function () {
  this.timeout(60000);
  const model = readModelFile(path.join(fixtures, 'tiny-llama', 'model.onnx'));
  const modules = resolveTargets(model, llamaTargets).filter((m) => m.peftName.includes('layers.0.'));
  const tasks = [syntheticBatches(11, range(3, 20), 6, 10, 4), syntheticBatches(12, range(40, 96), 6, 10, 4)];

  it('C_t = XᵀX / n over non-padding, non-ignored tokens matches a JS oracle; q/k/v share one C_t', async () => {
    const result = await previewCovariances(model, modules, tasks, { device: 'cpu', threads: 1 });
    const q = modules.find((m) => m.peftName.endsWith('q_proj'))!;
    const activation = indexGraph(model.graph).producer.get(q.output)!.inputs[0];
    for (let t = 0; t < 2; t++) {
      const expected = await oracle(model, activation, tasks[t], q.dIn);
      assert.strictEqual(result.tokenCounts[t], expected.tokens);
      const c = result.covariances.get(q.peftName)![t];
      const scale = Math.max(...expected.c.map(Math.abs));
      let worst = 0;
      c.data.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - expected.c[i]))));
      assert.ok(worst <= 1e-5 * scale, `task ${t}: ${worst.toExponential(2)} vs max ${scale}`);
    }
    const k = modules.find((m) => m.peftName.endsWith('k_proj'))!;
    assert.strictEqual(result.covariances.get(k.peftName), result.covariances.get(q.peftName));
    assert.notStrictEqual(result.covariances.get(modules.find((m) => m.peftName.endsWith('down_proj'))!.peftName), result.covariances.get(q.peftName));
  });

  it("counts prompt tokens with tokens 'attended', and uses only the first `samples` rows", async () => {
    const attended = await previewCovariances(model, modules, tasks, { device: 'cpu', threads: 1, tokens: 'attended', samples: 5 });
    const five = takeSamples(tasks[0], 5);
    assert.deepStrictEqual(five.map((b) => b.batchSize), [4, 1]);
    const expected = five.reduce((acc, b) => acc + b.attentionMask.reduce((x, y) => x + y, 0), 0);
    assert.strictEqual(attended.tokenCounts[0], expected);
  });

  it('previewTokenMask: padding and −100 labels excluded; class labels never mask', () => {
    const [batch] = syntheticBatches(13, [5], 2, 4, 2, 1);
    // Row 0: prompt at 0; row 1: prompt at 0, padding from position 2.
    assert.deepStrictEqual(Array.from(previewTokenMask(batch)), [0, 1, 1, 1, 0, 1, 0, 0]);
    const cls: Batch = { ...batch, labels: Int32Array.from([1, 0]), labelsDims: [2] };
    assert.deepStrictEqual(Array.from(previewTokenMask(cls)), [1, 1, 1, 1, 1, 1, 0, 0]);
    assert.deepStrictEqual(Array.from(firstRows(batch, 1).labels), Array.from(batch.labels.subarray(0, 4)));
  });

  it('a task with no counted tokens is an error that names the task and the fix', async () => {
    const [batch] = syntheticBatches(14, [5], 2, 4, 2, 4);
    await assert.rejects(previewCovariances(model, modules.slice(0, 1), [[batch]], { device: 'cpu', threads: 1 }), /task 0 counted no tokens.*tokens: 'attended'/);
  });

  it('a pooler (one input row per example) counts each example with a counted position as one token', async () => {
    // PEFT's usual BERT targets include bert.pooler.dense, whose input is the first position's hidden state [b, d].
    const dir = path.join(fixtures, 'hf', 'hf-bert-cls-ts');
    const bert = readModelFile(path.join(dir, 'model.onnx'));
    const targets = resolveTargets(bert, ['query', 'key', 'value', 'dense']);
    const pooler = targets.find((m) => m.peftName === 'bert.pooler.dense')!;
    const batch = readBatchFile(path.join(dir, 'batch.json'));
    const result = await previewCovariances(bert, targets, [[batch]], { device: 'cpu', threads: 1 });
    const activation = indexGraph(bert.graph).producer.get(pooler.output)!.inputs[0];
    const x = await runOutput(withOutput(bert, activation), batch, {}, activation);
    assert.strictEqual(x.length, batch.batchSize * pooler.dIn, 'the pooler input is one row per example');
    const d = pooler.dIn;
    const expected = new Float64Array(d * d);
    for (let row = 0; row < batch.batchSize; row++) {
      for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) expected[i * d + j] += (x[row * d + i] * x[row * d + j]) / batch.batchSize;
    }
    const c = result.covariances.get(pooler.peftName)![0];
    const scale = Math.max(...expected.map(Math.abs));
    let worst = 0;
    c.data.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - expected[i]))));
    assert.ok(worst <= 1e-5 * scale, `pooler C: ${worst.toExponential(2)} vs max ${scale}`);
    // The per-token modules still divide by the token count.
    const attended = batch.attentionMask.reduce((a, b) => a + b, 0);
    assert.strictEqual(result.tokenCounts[0], attended);
  });
});
