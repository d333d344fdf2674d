// A whole run from a Hugging Face folder, in Node alone: createHfExperiment (import, example data, thanora.json)
// → runTraining (method thanora) → mergeCheckpoint → <merged>/hf. The Hugging Face folder holds exactly the
// merged model's weights under the checkpoint's keys (byte-equal), the original config and the tokenizer.
// test/python/test_hf_export.py loads the same kind of folder in transformers.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { createHfExperiment } from '../../../../src/core/experiment/hf-experiment';
import { readSafetensorsHeader } from '../../../../src/core/io/safetensors';
import { mergeCheckpoint } from '../../../../src/core/merge/merge-adapter';
import { readModelFile } from '../../../../src/core/onnx/model-file';
import { runTraining } from '../../../../src/core/train/run-training';
import { EvalEvent, RunEvent } from '../../../../src/protocol/run-events';
import { hfFixture, importFixture, tempDir } from '../modelgen/hf-import-helpers';

function prepareFolder(hfBase: string, dir: string): string {
  fs.cpSync(hfBase, dir, { recursive: true });
  fs.copyFileSync(path.join(hfFixture('train_assets'), 'tokenizer.json'), path.join(dir, 'tokenizer.json'));
  return dir;
}

function shorten(experimentFile: string): void {
  const config = JSON.parse(fs.readFileSync(experimentFile, 'utf8'));
  Object.assign(config.training, { steps: 4, warmupSteps: 1, evalEvery: 0, checkpointEvery: 0, lr: 0.01 });
  config.device = 'cpu';
  config.threads = 1;
  fs.writeFileSync(experimentFile, JSON.stringify(config));
}

/** Every checkpoint weight of the merged model, as bytes, keyed by its initializer. */
function mergedBytes(modelFile: string): Map<string, Buffer> {
  const model = readModelFile(modelFile, { loadExternalData: true });
  return new Map(model.graph.initializers.filter((t) => t.name.endsWith('.weight') || t.name.endsWith('.bias')).map((t) => [t.name, Buffer.from(t.raw!)]));
}

describe('a run from a Hugging Face folder: import → train → merge → Hugging Face folder', function () {
  this.timeout(180000);
  const root = tempDir('thanora-hf-run-');
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  it('qwen2 (weights referenced in place): the hf folder links the merge\'s patched safetensors', async () => {
    const hf = prepareFolder(path.join(hfFixture('hf-qwen2-ts'), 'hf_base'), path.join(root, 'qwen2'));
    const created = await createHfExperiment(hf, path.join(root, 'qwen2-exp'));
    assert.strictEqual(created.dataFormat, 'prompt_completion');
    assert.deepStrictEqual(created.model.weightFiles.map((w) => w.how), ['hard link']);
    shorten(created.experimentFile);
    const logs: string[] = [];
    const run = await runTraining(created.experimentFile, { onLog: (l) => logs.push(l) });
    assert.strictEqual(run.state, 'finished');
    assert.ok(logs.some((l) => /^data: task "reverse" train: 28 prompt_completion examples/.test(l)), logs.join('\n'));
    const merged = await mergeCheckpoint(run.runDir, {});
    assert.strictEqual(merged.report.pass, true);
    const hfDir = merged.report.outputs.huggingFace!;
    assert.strictEqual(hfDir, path.join(merged.outDir, 'hf'));
    assert.deepStrictEqual(fs.readdirSync(hfDir).sort(), ['config.json', 'generation_config.json', 'model.safetensors', 'tokenizer.json']);
    assert.ok(fs.readFileSync(path.join(hfDir, 'config.json')).equals(fs.readFileSync(path.join(hf, 'config.json'))));
    const header = readSafetensorsHeader(path.join(hfDir, 'model.safetensors'));
    const original = readSafetensorsHeader(path.join(hf, 'model.safetensors'));
    assert.deepStrictEqual([...header.tensors.keys()].sort(), [...original.tensors.keys()].sort());
    const bytes = fs.readFileSync(path.join(hfDir, 'model.safetensors'));
    let changed = 0;
    for (const [name, value] of mergedBytes(merged.report.outputs.model)) {
      const entry = header.tensors.get(name)!;
      assert.ok(bytes.subarray(entry.offset, entry.offset + entry.length).equals(value), name);
      if (!fs.readFileSync(path.join(hf, 'model.safetensors')).subarray(entry.offset, entry.offset + entry.length).equals(value)) changed++;
    }
    assert.strictEqual(changed, merged.report.modules.length, 'exactly the adapted weights differ from the original checkpoint');
    // The original checkpoint is untouched by training and merging.
    assert.strictEqual(fs.statSync(path.join(hf, 'model.safetensors')).size, original.fileSize);
  });

  it('a bfloat16 checkpoint (converted at import): the hf folder streams float32 weights under the checkpoint keys', async () => {
    const hf = prepareFolder(path.join(importFixture('qwen2-bf16'), 'hf_base'), path.join(root, 'bf16'));
    const created = await createHfExperiment(hf, path.join(root, 'bf16-exp'));
    assert.deepStrictEqual(created.model.weightFiles.map((w) => w.how), ['converted']);
    shorten(created.experimentFile);
    const run = await runTraining(created.experimentFile);
    const merged = await mergeCheckpoint(run.runDir, {});
    const hfDir = merged.report.outputs.huggingFace!;
    const config = JSON.parse(fs.readFileSync(path.join(hfDir, 'config.json'), 'utf8'));
    assert.strictEqual(config.dtype, 'float32');
    const header = readSafetensorsHeader(path.join(hfDir, 'model.safetensors'));
    assert.deepStrictEqual([...header.tensors.keys()].sort(), [...readSafetensorsHeader(path.join(hf, 'model.safetensors')).tensors.keys()].sort());
    const bytes = fs.readFileSync(path.join(hfDir, 'model.safetensors'));
    for (const [name, value] of mergedBytes(merged.report.outputs.model)) {
      const entry = header.tensors.get(name)!;
      assert.strictEqual(entry.dtype, 'F32', name);
      assert.ok(bytes.subarray(entry.offset, entry.offset + entry.length).equals(value), name);
    }
  });

  it('a float16 import trains and evaluates in float16 (losses from widened float16 logits)', async () => {
    const hf = prepareFolder(path.join(hfFixture('hf-llama-ts'), 'hf_base'), path.join(root, 'fp16'));
    const created = await createHfExperiment(hf, path.join(root, 'fp16-exp'), { dtype: 'float16' });
    shorten(created.experimentFile);
    const events: RunEvent[] = [];
    const run = await runTraining(created.experimentFile, {}, (e) => events.push(e));
    assert.strictEqual(run.state, 'finished');
    const evals = events.filter((e): e is EvalEvent => e.type === 'eval');
    assert.ok(evals.length > 0);
    // Untrained, the loss is near log(vocab) = log(320) ≈ 5.77; reading float16 bits as numbers gave ~1e4.
    for (const e of evals) for (const t of e.tasks) assert.ok(t.loss > 4 && t.loss < 8, `eval loss ${t.loss}`);
  });

  it('refuses a folder that already has a thanora.json, and a model folder without tokenizer.json', async () => {
    const target = path.join(root, 'taken');
    fs.mkdirSync(target);
    fs.writeFileSync(path.join(target, 'thanora.json'), '{}');
    await assert.rejects(createHfExperiment(path.join(hfFixture('hf-qwen2-ts'), 'hf_base'), target), /already exists/);
    await assert.rejects(createHfExperiment(path.join(hfFixture('hf-qwen2-ts'), 'hf_base'), path.join(root, 'no-tok')), /has no tokenizer\.json/);
  });
});
