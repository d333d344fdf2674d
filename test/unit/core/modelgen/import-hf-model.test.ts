// The imported graph reproduces transformers. Oracles: test/fixtures/hf/*/hf_base (shared/tools/make_hf_fixtures.py,
// "base" logits) and test/fixtures/hf-import/* (scripts/make_hf_import_fixtures.py), both transformers 5.18
// logits computed in float64 and stored float32, on batches with right (and left) padding. The graph runs in
// float32 from the model file, so ONNX Runtime reads the weights from the safetensors files itself.
// Tolerance: 1e-5 relative (max |Δ| / max |ref|). float16 graphs: 3e-3 against the float64 reference, and no
// more than 1.5× the error of transformers' own float16 forward where the fixture records it.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { readModelFile } from '../../../../src/core/onnx/model-file';
import { DataType } from '../../../../src/core/onnx/types';
import {
  TokenBatch,
  expectedLogits,
  hfFixture,
  importCases,
  importFixture,
  importInto,
  logitsOf,
  readJson,
  relativeError,
  tempDir,
} from './hf-import-helpers';

const hfArchitectures = ['llama', 'qwen2', 'mistral', 'phi3', 'gpt2', 'bert-cls'];

describe('importHfModel: logits equal transformers (float32, 1e-5 relative)', function () {
  this.timeout(120000);
  const out = tempDir();
  after(() => fs.rmSync(out, { recursive: true, force: true }));

  for (const arch of hfArchitectures) {
    it(`test/fixtures/hf/hf-${arch}-ts/hf_base on its padded batch`, async () => {
      const dir = hfFixture(`hf-${arch}-ts`);
      const written = await importInto(path.join(dir, 'hf_base'), path.join(out, arch));
      const batch = readJson<TokenBatch>(path.join(dir, 'batch.json'));
      const expected = expectedLogits(path.join(dir, 'expected_logits.safetensors')).get('base')!;
      const { data, dims } = await logitsOf(written.file, batch);
      assert.deepStrictEqual([...dims], expected.shape);
      const err = relativeError(data, expected.data);
      assert.ok(err < 1e-5, `relative error ${err}`);
    });
  }

  for (const name of importCases()) {
    it(`test/fixtures/hf-import/${name} (${readJson<{ exercises: string }>(path.join(importFixture(name), 'meta.json')).exercises})`, async () => {
      const dir = importFixture(name);
      const written = await importInto(path.join(dir, 'hf_base'), path.join(out, name));
      const { batches } = readJson<{ batches: Record<string, TokenBatch> }>(path.join(dir, 'batches.json'));
      const expected = expectedLogits(path.join(dir, 'expected_logits.safetensors'));
      for (const [batchName, batch] of Object.entries(batches)) {
        const { data, dims } = await logitsOf(written.file, batch);
        assert.deepStrictEqual([...dims], expected.get(batchName)!.shape, batchName);
        const err = relativeError(data, expected.get(batchName)!.data);
        assert.ok(err < 1e-5, `batch '${batchName}': relative error ${err}`);
      }
    });
  }

  it('the sliding window, the rope scaling and the softcaps each change the logits (the checks above can fail)', async () => {
    // The same weights with the feature switched off in config.json must miss the reference by far more than 1e-5.
    const cases: [string, (c: Record<string, unknown>) => void][] = [
      ['mistral-gqa', (c) => (c.sliding_window = null)],
      ['llama3-rope', (c) => (c.rope_parameters = { rope_type: 'default', rope_theta: 500000 })],
      ['gemma2', (c) => (c.attn_logit_softcapping = null)],
      ['phi3-longrope', (c) => ((c.rope_parameters as Record<string, unknown>).long_factor = [1, 1.1, 1.3, 1.7])],
    ];
    for (const [name, change] of cases) {
      const src = path.join(importFixture(name), 'hf_base');
      const copy = path.join(out, `${name}-changed`);
      fs.mkdirSync(copy, { recursive: true });
      const config = readJson<Record<string, unknown>>(path.join(src, 'config.json'));
      change(config);
      fs.writeFileSync(path.join(copy, 'config.json'), JSON.stringify(config));
      fs.copyFileSync(path.join(src, 'model.safetensors'), path.join(copy, 'model.safetensors'));
      const written = await importInto(copy, path.join(copy, 'onnx'));
      const { batches } = readJson<{ batches: Record<string, TokenBatch> }>(path.join(importFixture(name), 'batches.json'));
      const batchName = batches.long ? 'long' : 'right';
      const { data } = await logitsOf(written.file, batches[batchName]);
      const err = relativeError(data, expectedLogits(path.join(importFixture(name), 'expected_logits.safetensors')).get(batchName)!.data);
      assert.ok(err > 1e-3, `${name}: changing the config moved the logits by only ${err}`);
    }
  });
});

describe('importHfModel --dtype float16', function () {
  this.timeout(120000);
  const out = tempDir();
  after(() => fs.rmSync(out, { recursive: true, force: true }));

  it('a float16 checkpoint is referenced in place and runs within 3e-3 of the float64 reference, ≤ 1.5× torch float16', async () => {
    const dir = importFixture('llama-fp16');
    const written = await importInto(path.join(dir, 'hf_base'), out, 'float16');
    assert.deepStrictEqual(written.weightFiles.map((w) => w.how), ['hard link']);
    const model = readModelFile(written.file, { loadExternalData: false });
    assert.ok(model.graph.initializers.filter((t) => t.name.endsWith('_proj.weight')).every((t) => t.dataType === DataType.FLOAT16));
    const { batches } = readJson<{ batches: Record<string, TokenBatch> }>(path.join(dir, 'batches.json'));
    const expected = expectedLogits(path.join(dir, 'expected_logits.safetensors'));
    for (const [name, batch] of Object.entries(batches)) {
      const { data } = await logitsOf(written.file, batch);
      const ours = relativeError(data, expected.get(name)!.data);
      const torchHalf = relativeError(expected.get(`${name}.fp16`)!.data, expected.get(name)!.data);
      assert.ok(ours < 3e-3 && ours < 1.5 * torchHalf, `batch '${name}': ${ours} (torch float16: ${torchHalf})`);
    }
  });

  for (const name of ['qwen3', 'gemma2', 'gpt2-variants', 'bert-cls-2']) {
    it(`${name}: float32 weights converted once to float16 run within 3e-3 of the float64 reference`, async () => {
      const dir = importFixture(name);
      const written = await importInto(path.join(dir, 'hf_base'), path.join(out, name), 'float16');
      assert.deepStrictEqual(written.weightFiles.map((w) => [w.location, w.how]), [['model.onnx.data', 'converted']]);
      const { batches } = readJson<{ batches: Record<string, TokenBatch> }>(path.join(dir, 'batches.json'));
      const { data } = await logitsOf(written.file, batches.right);
      const err = relativeError(data, expectedLogits(path.join(dir, 'expected_logits.safetensors')).get('right')!.data);
      assert.ok(err < 3e-3, `relative error ${err}`);
    });
  }
});
