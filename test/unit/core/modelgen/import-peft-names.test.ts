// An imported graph carries PEFT's module names: targets resolve by PEFT's own names to the modules PEFT
// adapted (the fixtures' module_map answer keys), and a real PEFT adapter trained on the Hugging Face model
// (adapter_model.safetensors written by peft 0.21) merges into the imported graph to transformers' merged
// logits (merge_and_unload, float64-computed): 1e-5 relative.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { resolveTargets } from '../../../../src/core/lora/resolve-targets';
import { mergePeftAdapter } from '../../../../src/core/merge/merge-adapter';
import { moduleScope } from '../../../../src/core/modelgen/hf-graph';
import { importHfModel } from '../../../../src/core/modelgen/import-hf-model';
import { readModelFile } from '../../../../src/core/onnx/model-file';
import { TokenBatch, expectedLogits, hfFixture, importInto, logitsOf, readJson, relativeError, tempDir } from './hf-import-helpers';

const architectures = ['llama', 'qwen2', 'mistral', 'phi3', 'gpt2', 'bert-cls'];

describe('imported graphs carry PEFT module names', function () {
  this.timeout(120000);
  const out = tempDir();
  after(() => fs.rmSync(out, { recursive: true, force: true }));

  for (const arch of architectures) {
    const dir = hfFixture(`hf-${arch}-ts`);

    it(`${arch}: PEFT's target_modules resolve to exactly the modules PEFT adapted, weights named by checkpoint key`, () => {
      const { model } = importHfModel(path.join(dir, 'hf_base'));
      const targets = readJson<{ target_modules: string[] }>(path.join(dir, 'adapter_config.json')).target_modules;
      const answer = Object.keys(readJson<{ module_map: Record<string, unknown> }>(path.join(dir, 'module_map.json')).module_map).sort();
      const resolved = resolveTargets(model, targets, { allowUnmatched: true });
      assert.deepStrictEqual(resolved.map((m) => m.peftName).sort(), answer);
      for (const m of resolved) {
        assert.strictEqual(m.initializer, `${m.peftName}.weight`);
        // torch.onnx's node naming: `/model/layers.0/self_attn/q_proj/Gemm`
        assert.strictEqual(m.node, `${moduleScope(m.peftName)}/Gemm`);
      }
    });

    it(`${arch}: the PEFT adapter merges into the imported graph to transformers' merged logits`, async () => {
      const written = await importInto(path.join(dir, 'hf_base'), path.join(out, arch));
      const merged = await mergePeftAdapter(written.file, dir, { outDir: path.join(out, `${arch}-merged`), batchFile: path.join(dir, 'batch.json') });
      assert.strictEqual(merged.report.pass, true);
      const batch = readJson<TokenBatch>(path.join(dir, 'batch.json'));
      const expected = expectedLogits(path.join(dir, 'expected_logits.safetensors'));
      const { data } = await logitsOf(path.join(out, `${arch}-merged`, 'model.onnx'), batch);
      const err = relativeError(data, expected.get('merged')!.data);
      assert.ok(err < 1e-5, `merged: relative error ${err}`);
      assert.ok(relativeError(data, expected.get('base')!.data) > 1e-3, 'the adapter must change the logits');
    });
  }

  it("all-linear leaves the output head out; a tied head resolves as 'lm_head', reading the embedding", () => {
    const { model } = importHfModel(path.join(hfFixture('hf-qwen2-ts'), 'hf_base'));
    // Node-name targets in torch.onnx's form resolve too.
    assert.deepStrictEqual(resolveTargets(model, ['/model/layers.1/mlp/down_proj/Gemm']).map((m) => m.peftName), ['model.layers.1.mlp.down_proj']);
    const all = resolveTargets(model, 'all-linear').map((m) => m.peftName);
    assert.strictEqual(all.length, 2 * 7);
    assert.ok(!all.includes('lm_head'));
    const [head] = resolveTargets(model, ['lm_head']);
    assert.deepStrictEqual([head.peftName, head.initializer, head.stored], ['lm_head', 'model.embed_tokens.weight', 'out_in']);
  });

  it('weights keep the checkpoint layout: Linear [out, in] read with transB = 1, GPT-2 Conv1D [in, out] as is', async () => {
    const llama = readModelFile((await importInto(path.join(hfFixture('hf-llama-ts'), 'hf_base'), path.join(out, 'layout-llama'))).file, { loadExternalData: false });
    const q = llama.graph.initializers.find((t) => t.name === 'model.layers.0.self_attn.q_proj.weight')!;
    assert.deepStrictEqual(q.dims, [64, 64]);
    assert.strictEqual(q.external!.location, 'model.safetensors');
    assert.deepStrictEqual(resolveTargets(llama, ['k_proj']).map((m) => [m.stored, m.dIn, m.dOut]), [['out_in', 64, 32], ['out_in', 64, 32]]);
    const gpt2 = importHfModel(path.join(hfFixture('hf-gpt2-ts'), 'hf_base')).model;
    assert.deepStrictEqual(resolveTargets(gpt2, ['c_attn']).map((m) => [m.stored, m.dIn, m.dOut]), [['in_out', 64, 192], ['in_out', 64, 192]]);
  });
});
