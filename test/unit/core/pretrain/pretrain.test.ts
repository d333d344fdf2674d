import * as assert from 'assert';
import { buildLlamaModel } from '../../../../src/core/modelgen/build-llama';
import { LlamaConfig } from '../../../../src/core/modelgen/llama-config';
import { tensorToFloat32 } from '../../../../src/core/onnx/tensor-data';
import { packTokenStream, packedBatch, rowCount } from '../../../../src/core/pretrain/packed-batches';
import { pretrain } from '../../../../src/core/pretrain/pretrain';
import { corpusTokenRecords } from '../../../../src/core/demo/demo-model-recipe';

const config: LlamaConfig = { vocabSize: 259, hiddenSize: 32, numLayers: 1, numHeads: 2, intermediateSize: 64, maxPositions: 32 };

describe('packed batches', () => {
  it('cuts the concatenated records into full rows, labels = inputs, no padding', () => {
    const stream = packTokenStream([[1, 10, 11, 2], [1, 12, 2], [1, 13, 14, 15, 2]]);
    assert.deepStrictEqual(Array.from(stream), [1, 10, 11, 2, 1, 12, 2, 1, 13, 14, 15, 2]);
    assert.strictEqual(rowCount(stream, 5), 2);
    const batch = packedBatch(stream, 5, [1, 0]);
    assert.deepStrictEqual(Array.from(batch.inputIds), [12, 2, 1, 13, 14, 1, 10, 11, 2, 1]);
    assert.deepStrictEqual(Array.from(batch.labels), Array.from(batch.inputIds));
    assert.ok(batch.attentionMask.every((m) => m === 1));
    assert.throws(() => packedBatch(stream, 5, [2]), /row 2 is outside the stream's 2 rows of 5 tokens/);
  });
});

describe('pretrain', () => {
  const run = (seed: number) =>
    pretrain({
      model: buildLlamaModel(config, { seed }),
      stream: packTokenStream(corpusTokenRecords(seed, 600)),
      seqLength: 32,
      batchSize: 8,
      steps: 30,
      peakLr: 1e-2,
      warmupSteps: 3,
      heldOutRows: 8,
      seed,
      threads: 1,
    });

  it('lowers the held-out loss of a tiny model on the demo corpus, and replays exactly from the seed', async function () {
    this.timeout(60000);
    const first = await run(3);
    // From ≈ ln 259 = 5.56 (uniform over bytes); 30 steps reach the letter/digit statistics (< 3.5 nats).
    assert.ok(Math.abs(first.initialHeldOutLoss - Math.log(259)) < 0.1, `initial ${first.initialHeldOutLoss}`);
    assert.ok(first.heldOutLoss < 3.5, `held-out loss ${first.heldOutLoss}`);
    assert.strictEqual(first.trainTokens, 30 * 8 * 32);
    const again = await run(3);
    assert.strictEqual(again.heldOutLoss, first.heldOutLoss);
    const q = (m: typeof first.model) => tensorToFloat32(m.graph.initializers.find((t) => t.name === 'model.layers.0.self_attn.q_proj.weight')!);
    assert.deepStrictEqual(q(again.model), q(first.model));
    // The trained model keeps the graph: only initializer values changed.
    assert.strictEqual(first.model.graph.nodes.length, buildLlamaModel(config, { seed: 3 }).graph.nodes.length);
    assert.notDeepStrictEqual(q(first.model), q(buildLlamaModel(config, { seed: 3 })));
  });

  it('refuses a stream too short for the held-out rows and one batch', async () => {
    await assert.rejects(
      pretrain({ model: buildLlamaModel(config), stream: new Int32Array(100), seqLength: 32, batchSize: 8, steps: 1, peakLr: 1e-3, warmupSteps: 0, heldOutRows: 1, seed: 0 }),
      /3 rows of 32 tokens; 1 held out leaves 2 for training, need ≥ batch size 8/,
    );
  });
});
