import * as assert from 'assert';
import * as ort from 'onnxruntime-node';
import { Rng } from '../../../../src/core/data/rng';
import { resolveTargets } from '../../../../src/core/lora/resolve-targets';
import { LLAMA_CONFIG_METADATA_KEY, buildLlamaModel } from '../../../../src/core/modelgen/build-llama';
import { GraphBuilder, GraphBuildError } from '../../../../src/core/modelgen/graph-builder';
import { LlamaConfig, LlamaConfigError, countParameters, resolveLlamaConfig } from '../../../../src/core/modelgen/llama-config';
import { LlamaWeights, initLlamaWeights } from '../../../../src/core/modelgen/llama-weights';
import { decodeModel, encodeModel } from '../../../../src/core/onnx/model-codec';
import { DataType } from '../../../../src/core/onnx/types';
import { referenceLogits } from './llama-reference';

const tiny: LlamaConfig = { vocabSize: 259, hiddenSize: 16, numLayers: 2, numHeads: 2, intermediateSize: 24, maxPositions: 16 };

// Weights large enough that attention is far from uniform and every norm scale matters (std 0.3, scales 1 ± 0.3).
function testWeights(config: LlamaConfig, seed: number): LlamaWeights {
  const full = resolveLlamaConfig(config);
  const weights = initLlamaWeights(full, { seed, std: 0.3 });
  const rng = Rng.fromSeed(seed);
  for (const [name, w] of weights) if (name.endsWith('layernorm.weight') || name === 'model.norm.weight') w.values.forEach((_, i) => (w.values[i] = 1 + 0.3 * rng.normal()));
  return weights;
}

async function runLogits(config: LlamaConfig, weights: LlamaWeights, ids: number[][], mask: number[][]): Promise<{ data: Float32Array; dims: readonly number[] }> {
  const model = buildLlamaModel(config, { weights });
  const session = await ort.InferenceSession.create(encodeModel(model), { intraOpNumThreads: 1, graphOptimizationLevel: 'all' });
  const dims = [ids.length, ids[0].length];
  const int64 = (rows: number[][]) => new ort.Tensor('int64', BigInt64Array.from(rows.flat(), BigInt), dims);
  const out = await session.run({ input_ids: int64(ids), attention_mask: int64(mask) });
  await session.release();
  return { data: out.logits.data as Float32Array, dims: out.logits.dims };
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.strictEqual(a.length, b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

describe('buildLlamaModel', () => {
  // Row 1 has two padded positions at the end (right padding, attention_mask 0).
  const ids = [
    [1, 70, 71, 72, 73, 74, 75],
    [1, 120, 4, 200, 258, 0, 0],
  ];
  const mask = [
    [1, 1, 1, 1, 1, 1, 1],
    [1, 1, 1, 1, 1, 0, 0],
  ];

  for (const tieEmbeddings of [true, false]) {
    it(`matches a float64 JS reference forward within 1e-4 (${tieEmbeddings ? 'tied' : 'untied'} lm_head)`, async () => {
      const config = { ...tiny, tieEmbeddings };
      const weights = testWeights(config, 7);
      const { data, dims } = await runLogits(config, weights, ids, mask);
      assert.deepStrictEqual(dims, [2, 7, 259]);
      const expected = referenceLogits(resolveLlamaConfig(config), weights, ids, mask);
      // float32 ONNX Runtime vs float64 reference, logits of magnitude ~1-10: atol 1e-4.
      const diff = maxAbsDiff(data, expected);
      assert.ok(diff < 1e-4, `max |logit difference| ${diff}`);
      // The check has teeth: logits vary across positions and tokens.
      assert.ok(maxAbsDiff(expected.subarray(0, 259), expected.subarray(259, 518)) > 0.1);
    });
  }

  it('padding does not change the logits of the real tokens, and future tokens do not leak backwards', async () => {
    const weights = testWeights(tiny, 3);
    const full = await runLogits(tiny, weights, [[1, 9, 8, 7, 6]], [[1, 1, 1, 1, 1]]);
    const padded = await runLogits(tiny, weights, [[1, 9, 8, 0, 0]], [[1, 1, 1, 0, 0]]);
    // positions 0-2 see the same prefix in both: equal up to float32 round-off (1e-5)
    assert.ok(maxAbsDiff(full.data.subarray(0, 3 * 259), padded.data.subarray(0, 3 * 259)) < 1e-5);
  });

  it('names weights and nodes like Hugging Face LLaMA, so all-linear finds 7 modules per layer', () => {
    const model = buildLlamaModel({ ...tiny, numLayers: 3 }, { seed: 1 });
    const modules = resolveTargets(model, 'all-linear');
    assert.strictEqual(modules.length, 3 * 7);
    const layer1 = modules.filter((m) => m.peftName.startsWith('model.layers.1.')).map((m) => m.peftName.split('.').slice(3).join('.'));
    assert.deepStrictEqual(layer1, ['self_attn.q_proj', 'self_attn.k_proj', 'self_attn.v_proj', 'self_attn.o_proj', 'mlp.gate_proj', 'mlp.up_proj', 'mlp.down_proj']);
    const q = modules[0];
    assert.deepStrictEqual(
      { node: q.node, initializer: q.initializer, stored: q.stored, dIn: q.dIn, dOut: q.dOut },
      { node: '/model/layers.0/self_attn/q_proj/MatMul', initializer: 'model.layers.0.self_attn.q_proj.weight', stored: 'in_out', dIn: 16, dOut: 16 },
    );
    const down = modules.find((m) => m.peftName === 'model.layers.2.mlp.down_proj')!;
    assert.deepStrictEqual([down.dIn, down.dOut], [24, 16]);
    assert.strictEqual(resolveTargets(model, ['q_proj', 'v_proj']).length, 6);
    // The output head is found but left out of all-linear, as in PEFT.
    assert.strictEqual(resolveTargets(model, 'all-linear', { includeOutputHead: true }).length, 3 * 7 + 1);
  });

  it('round-trips through the ONNX codec and records its config in the metadata', () => {
    const model = buildLlamaModel(tiny, { seed: 2 });
    const decoded = decodeModel(encodeModel(model));
    assert.strictEqual(decoded.graph.nodes.length, model.graph.nodes.length);
    const meta = decoded.metadata.find((m) => m.key === LLAMA_CONFIG_METADATA_KEY);
    assert.deepStrictEqual(JSON.parse(meta!.value), resolveLlamaConfig(tiny));
    const weightCount = decoded.graph.initializers.filter((t) => t.name.endsWith('.weight')).reduce((s, t) => s + t.dims.reduce((a, b) => a * b, 1), 0);
    assert.strictEqual(weightCount, countParameters(tiny));
  });

  it('initializes deterministically from the seed', () => {
    const a = initLlamaWeights(resolveLlamaConfig(tiny), { seed: 5 });
    const b = initLlamaWeights(resolveLlamaConfig(tiny), { seed: 5 });
    const c = initLlamaWeights(resolveLlamaConfig(tiny), { seed: 6 });
    const q = 'model.layers.0.self_attn.q_proj.weight';
    assert.deepStrictEqual(a.get(q)!.values, b.get(q)!.values);
    assert.notDeepStrictEqual(a.get(q)!.values, c.get(q)!.values);
  });

  it('rejects configs it cannot build, naming the field', () => {
    assert.throws(() => resolveLlamaConfig({ ...tiny, numHeads: 3 }), (e: Error) => e instanceof LlamaConfigError && /not divisible by numHeads 3/.test(e.message));
    assert.throws(() => resolveLlamaConfig({ ...tiny, hiddenSize: 18, numHeads: 6 }), /head dimension 3 .* must be even/);
    assert.throws(() => resolveLlamaConfig({ ...tiny, numLayers: 0 }), /numLayers must be a positive integer/);
  });
});

describe('GraphBuilder', () => {
  it('names nodes like torch.onnx exports and numbers repeats', () => {
    const b = new GraphBuilder('g');
    const x = b.input('x', DataType.FLOAT, ['n']);
    const y = b.op('/model/mlp', 'Relu', [x]);
    const z = b.op('/model/mlp', 'Relu', [y], {}, 'out');
    b.output(z, DataType.FLOAT, ['n']);
    const model = b.build();
    assert.deepStrictEqual(model.graph.nodes.map((n) => [n.name, n.outputs[0]]), [
      ['/model/mlp/Relu', '/model/mlp/Relu_output_0'],
      ['/model/mlp/Relu_1', 'out'],
    ]);
  });

  it('refuses duplicate names, undefined inputs and missing outputs', () => {
    const b = new GraphBuilder('g');
    b.input('x', DataType.FLOAT, [2]);
    assert.throws(() => b.initializer('x', [1], DataType.FLOAT, [0]), (e: Error) => e instanceof GraphBuildError && /'x' is already defined/.test(e.message));
    assert.throws(() => b.op('/s', 'Relu', ['nope']), /reads 'nope', which no input, initializer or earlier node defines/);
    b.output('never', DataType.FLOAT, [2]);
    assert.throws(() => b.build(), /output 'never' is never computed/);
  });
});
