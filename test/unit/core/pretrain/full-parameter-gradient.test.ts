import * as assert from 'assert';
import { Batch } from '../../../../src/core/io/batch-file';
import { buildLlamaModel } from '../../../../src/core/modelgen/build-llama';
import { LlamaConfig, resolveLlamaConfig } from '../../../../src/core/modelgen/llama-config';
import { initLlamaWeights } from '../../../../src/core/modelgen/llama-weights';
import { buildFullParameterGraph, trainableWeights, weightsAsInputs } from '../../../../src/core/pretrain/full-parameter-graph';
import { FullParameterSession } from '../../../../src/core/pretrain/full-parameter-session';

const config: LlamaConfig = { vocabSize: 24, hiddenSize: 8, numLayers: 2, numHeads: 2, intermediateSize: 12, maxPositions: 8 };

// Two rows, the second right-padded; prompt-like −100 labels at the start of row 0.
const batch: Batch = {
  batchSize: 2,
  seqLength: 6,
  inputIds: Int32Array.from([1, 5, 9, 13, 17, 21, 1, 7, 7, 3, 0, 0]),
  attentionMask: Int32Array.from([1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0]),
  hasAttentionMask: true,
  labels: Int32Array.from([-100, -100, 9, 13, 17, 21, 1, 7, 7, 3, -100, -100]),
  labelsDims: [2, 6],
};

describe('full-parameter training graph', () => {
  for (const tieEmbeddings of [true, false]) {
    it(`gives the gradient of every weight, matching central finite differences in float64 (${tieEmbeddings ? 'tied' : 'untied'})`, async function () {
      this.timeout(60000);
      const full = resolveLlamaConfig({ ...config, tieEmbeddings });
      // std 0.3 so attention, SwiGLU and the norms are all in their nonlinear range.
      const model = buildLlamaModel(full, { weights: initLlamaWeights(full, { seed: 11, std: 0.3 }) });
      const graph = await buildFullParameterGraph(model, batch, { precision: 'float64' });
      const session = await FullParameterSession.open(graph, { device: 'cpu', threads: 1 });
      try {
        const weights = new Map<string, Float64Array>(graph.weights.map((w) => [w.name, Float64Array.from(w.values)]));
        const { grads } = await session.run(batch, weights);
        assert.strictEqual(grads.size, graph.weights.length);
        const probes: [string, number][] = [
          ['model.embed_tokens.weight', 5 * 8 + 3], // a token of the input
          ['model.layers.0.input_layernorm.weight', 2],
          ['model.layers.0.self_attn.q_proj.weight', 13],
          ['model.layers.0.self_attn.k_proj.weight', 40],
          ['model.layers.1.self_attn.v_proj.weight', 7],
          ['model.layers.1.self_attn.o_proj.weight', 21],
          ['model.layers.0.post_attention_layernorm.weight', 6],
          ['model.layers.1.mlp.gate_proj.weight', 50],
          ['model.layers.1.mlp.up_proj.weight', 33],
          ['model.layers.0.mlp.down_proj.weight', 70],
          ['model.norm.weight', 4],
          // tied: a token only the lm_head reads; untied: the head's own weight
          tieEmbeddings ? ['model.embed_tokens.weight', 22 * 8 + 1] : ['lm_head.weight', 3 * 24 + 9],
        ];
        if (!tieEmbeddings) {
          // untied, a token absent from the input gets no embedding gradient at all
          assert.ok(grads.get('model.embed_tokens.weight')!.subarray(22 * 8, 23 * 8).every((g) => g === 0));
        }
        const h = 1e-5;
        for (const [name, index] of probes) {
          const w = weights.get(name)!;
          const original = w[index];
          w[index] = original + h;
          const plus = (await session.run(batch, weights)).loss;
          w[index] = original - h;
          const minus = (await session.run(batch, weights)).loss;
          w[index] = original;
          const numeric = (plus - minus) / (2 * h);
          const analytic = grads.get(name)![index];
          // Central differences in float64 are exact to O(h²) ≈ 1e-10; the analytic gradient comes back as
          // float32 (relative 6e-8). Tolerance: 1e-7 + 1e-5·|numeric|.
          assert.ok(Math.abs(numeric - analytic) <= 1e-7 + 1e-5 * Math.abs(numeric), `${name}[${index}]: analytic ${analytic} vs numeric ${numeric}`);
          assert.ok(Math.abs(numeric) > 1e-6, `${name}[${index}]: gradient ${numeric} too small for the check to mean anything`);
        }
      } finally {
        await session.release();
      }
    });
  }

  it('turns exactly the *.weight initializers into graph inputs, leaving the rotary tables constant', () => {
    const model = buildLlamaModel(config, { seed: 1 });
    const weights = trainableWeights(model);
    assert.ok(weights.every((w) => w.name.endsWith('.weight')));
    assert.ok(!weights.some((w) => w.name.includes('rotary')));
    assert.strictEqual(weights.length, 1 + 2 * 9 + 1);
    const moved = weightsAsInputs(model, weights.map((w) => w.name));
    assert.ok(moved.graph.inputs.some((v) => v.name === 'model.layers.1.mlp.up_proj.weight'));
    assert.ok(moved.graph.initializers.some((t) => t.name === 'model.rotary_emb.cos_table'));
    assert.ok(!moved.graph.initializers.some((t) => t.name.endsWith('.weight')));
    assert.throws(() => weightsAsInputs(model, ['model.missing.weight']), /no initializer named 'model.missing.weight'/);
  });
});
