import * as assert from 'assert';
import * as fs from 'fs';
import * as ort from 'onnxruntime-node';
import * as path from 'path';
import { injectLora } from '../../../../src/core/lora/inject-lora';
import { resolveTargets } from '../../../../src/core/lora/resolve-targets';
import { encodeModel } from '../../../../src/core/onnx/model-codec';
import { readModelFile } from '../../../../src/core/onnx/model-file';
import { ModelProto } from '../../../../src/core/onnx/types';
import { int64Tensor } from '../../../../src/core/runtime/ort-tensors';
import { openSession } from '../../../../src/core/runtime/session';
import { readSafetensorsLite } from '../../../support/read-safetensors-lite';

const fixtureDir = (name: string) => path.join(__dirname, '../../../../../test/fixtures', name);

function relativeMaxDiff(actual: Float32Array, expected: Float32Array): number {
  assert.strictEqual(actual.length, expected.length);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    diff = Math.max(diff, Math.abs(actual[i] - expected[i]));
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  return diff / scale;
}

async function runLogits(model: ModelProto, feeds: Record<string, ort.Tensor>): Promise<Float32Array> {
  const { session } = await openSession(encodeModel(model), { device: 'cpu', threads: 1 });
  try {
    const inputs = Object.fromEntries(session.inputNames.map((n) => [n, feeds[n]]));
    const out = await session.run(inputs);
    return out[session.outputNames[0]].data as Float32Array;
  } finally {
    await session.release();
  }
}

function batchFeeds(name: string): Record<string, ort.Tensor> {
  const batch = JSON.parse(fs.readFileSync(path.join(fixtureDir(name), 'batch.json'), 'utf8')) as Record<string, number[][]>;
  const feeds: Record<string, ort.Tensor> = {};
  for (const key of ['input_ids', 'attention_mask']) {
    const rows = batch[key];
    feeds[key] = int64Tensor(rows.flat(), [rows.length, rows[0].length]);
  }
  return feeds;
}

for (const name of ['tiny-llama', 'tiny-gpt2', 'tiny-bert-cls', 'tiny-llama-named']) {
  describe(`injectLora on ${name} (PyTorch oracle)`, () => {
    const config = JSON.parse(fs.readFileSync(path.join(fixtureDir(name), 'adapter_config.json'), 'utf8'));
    const model = readModelFile(path.join(fixtureDir(name), 'model.onnx'));
    const expected = readSafetensorsLite(path.join(fixtureDir(name), 'expected_logits.safetensors'));
    const adapter = readSafetensorsLite(path.join(fixtureDir(name), 'adapter.safetensors'));
    const modules = resolveTargets(model, config.target_modules);
    const injected = injectLora(model, modules, { rank: config.r, alpha: config.lora_alpha });

    // Tolerance: 1e-4 relative (max-abs diff over max-abs): float32 ONNX Runtime vs float64 PyTorch logits.
    it('with the fixture adapter gives the "adapted" logits', async () => {
      const feeds = batchFeeds(name);
      for (const a of injected.adapters) {
        const A = adapter.get(`base_model.model.${a.aInput}`)!;
        const B = adapter.get(`base_model.model.${a.bInput}`)!;
        assert.deepStrictEqual([A.shape, B.shape], [a.shapeA, a.shapeB], a.peftName);
        feeds[a.aInput] = new ort.Tensor('float32', A.data, A.shape);
        feeds[a.bInput] = new ort.Tensor('float32', B.data, B.shape);
      }
      const logits = await runLogits(injected.model, feeds);
      const rel = relativeMaxDiff(logits, expected.get('adapted')!.data);
      assert.ok(rel < 1e-4, `relative max diff ${rel}`);
      // The adapter must matter, or the check above could pass on the base model.
      assert.ok(relativeMaxDiff(logits, expected.get('base')!.data) > 1e-3);
    });

    // Tolerance: 1e-4 relative against PyTorch's base logits.
    it('with B = 0 gives the "base" logits', async () => {
      const feeds = batchFeeds(name);
      for (const a of injected.adapters) {
        feeds[a.aInput] = new ort.Tensor('float32', adapter.get(`base_model.model.${a.aInput}`)!.data, a.shapeA);
        feeds[a.bInput] = new ort.Tensor('float32', new Float32Array(a.shapeB[0] * a.shapeB[1]), a.shapeB);
      }
      const logits = await runLogits(injected.model, feeds);
      assert.ok(relativeMaxDiff(logits, expected.get('base')!.data) < 1e-4);
    });

    it('adapters are PEFT-named graph inputs with s = alpha/r; frozen weights stay initializers', () => {
      const inputNames = new Set(injected.model.graph.inputs.map((v) => v.name));
      const initNames = new Set(injected.model.graph.initializers.map((t) => t.name));
      for (const m of modules) {
        assert.ok(inputNames.has(`${m.peftName}.lora_A.weight`) && inputNames.has(`${m.peftName}.lora_B.weight`), m.peftName);
        assert.ok(initNames.has(m.initializer), m.initializer);
      }
      assert.ok(injected.adapters.every((a) => a.scale === config.lora_alpha / config.r));
      assert.strictEqual(injected.model.graph.outputs[0].name, model.graph.outputs[0].name);
    });
  });
}

describe('injectLora options and input model', () => {
  const model = readModelFile(path.join(fixtureDir('tiny-llama'), 'model.onnx'));
  const modules = resolveTargets(model, ['q_proj', 'down_proj']);

  it('per-module ranks shape each adapter; the input model encodes to the same bytes afterwards', () => {
    const before = encodeModel(model);
    const rank = Object.fromEntries(modules.map((m, k) => [m.peftName, k + 1]));
    const { adapters } = injectLora(model, modules, { rank, alpha: 4 });
    assert.deepStrictEqual(
      adapters.map((a) => [a.shapeA, a.shapeB, a.scale]),
      modules.map((m, k) => [[k + 1, m.dIn], [m.dOut, k + 1], 4 / (k + 1)]),
    );
    assert.deepStrictEqual(encodeModel(model), before);
  });

  it('a module without a rank, a rank of 0 and a second injection are named errors', () => {
    assert.throws(() => injectLora(model, modules, { rank: { 'model.layers.0.self_attn.q_proj': 2 }, alpha: 4 }), /no LoRA rank given for module 'model.layers.0.mlp.down_proj'/);
    assert.throws(() => injectLora(model, modules, { rank: 0, alpha: 4 }), /rank for 'model.layers.0.self_attn.q_proj' is 0/);
    const once = injectLora(model, modules, { rank: 2, alpha: 4 }).model;
    assert.throws(() => injectLora(once, resolveTargets(once, ['q_proj']), { rank: 2, alpha: 4 }), /already carries a LoRA adapter/);
  });
});
