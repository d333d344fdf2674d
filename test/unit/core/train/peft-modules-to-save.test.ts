// A real PEFT 0.21 SEQ_CLS adapter (test/fixtures/hf/hf-bert-cls-mts-ts, BertForSequenceClassification, TorchScript
// export) trains the classifier as modules_to_save and stores it beside the LoRA pairs. The engine must use that
// head: loss within 1e-5 relative of PyTorch's float64 loss, every LoRA gradient within 1e-4 (max-abs relative, as
// the other oracle tests), and the merged model's logits within 2e-6 relative of PEFT's merged model.
// Bad heads fail naming the key: wrong shape (both shapes), or a module the model lacks.
import * as assert from 'assert';
import * as fs from 'fs';
import * as ort from 'onnxruntime-node';
import * as os from 'os';
import * as path from 'path';
import { readBatchFile } from '../../../../src/core/io/batch-file';
import { readPeftAdapter } from '../../../../src/core/io/peft-adapter';
import { SafeTensor, readSafetensors, writeSafetensors } from '../../../../src/core/io/safetensors';
import { applyModulesToSave } from '../../../../src/core/lora/modules-to-save';
import { mergePeftAdapter } from '../../../../src/core/merge/merge-adapter';
import { readModelFile } from '../../../../src/core/onnx/model-file';
import { batchFeeds } from '../../../../src/core/train/batch-feeds';
import { buildLoraTrainingGraph } from '../../../../src/core/train/lora-training-graph';
import { setupPeftLora } from '../../../../src/core/train/peft-lora-setup';
import { TrainStepSession } from '../../../../src/core/train/train-step-session';

const dir = path.join(__dirname, '../../../../../test/fixtures/hf/hf-bert-cls-mts-ts');

function relMaxAbs(ours: ArrayLike<number>, ref: ArrayLike<number>): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < ref.length; i++) {
    diff = Math.max(diff, Math.abs(ours[i] - ref[i]));
    scale = Math.max(scale, Math.abs(ref[i]));
  }
  return diff / scale;
}

describe('PEFT modules_to_save: hf-bert-cls-mts-ts', function () {
  this.timeout(120000);
  const expected = JSON.parse(fs.readFileSync(path.join(dir, 'expected.json'), 'utf8'));
  const batch = readBatchFile(path.join(dir, 'batch.json'));

  it('loss and LoRA gradients (float64) match PEFT with the saved classifier', async () => {
    const model = readModelFile(path.join(dir, 'model.onnx'));
    const setup = setupPeftLora(model, readPeftAdapter(dir));
    assert.deepStrictEqual(setup.saved.map((s) => s.key).sort(), ['base_model.model.classifier.bias', 'base_model.model.classifier.weight']);
    applyModulesToSave(model, setup.saved);
    const graph = await buildLoraTrainingGraph(model, { ...setup, precision: 'float64' }, batch);
    const session = await TrainStepSession.open(graph, { device: 'cpu', threads: 1 });
    const result = await session.run(batch, setup.values);
    await session.release();
    const lossRel = Math.abs(result.loss - expected.loss) / expected.loss;
    assert.ok(lossRel <= 1e-5, `loss ${result.loss} vs PEFT ${expected.loss}`);
    const grads = readSafetensors(path.join(dir, 'expected_grads_f64.safetensors')).tensors;
    for (const [key, ref] of grads) {
      const ours = result.grads.get(key.replace(/^base_model\.model\./, ''));
      assert.ok(ours, `no gradient for ${key}`);
      const rel = relMaxAbs(ours, ref.data as Float32Array);
      assert.ok(rel <= 1e-4, `${key}: relative gradient error ${rel.toExponential(2)}`);
    }
  });

  it('merge writes the saved head: logits equal PEFT merged within 2e-6', async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'thanora-mts-'));
    try {
      const outcome = await mergePeftAdapter(path.join(dir, 'model.onnx'), dir, { outDir: path.join(out, 'merged'), batchFile: path.join(dir, 'batch.json') });
      const session = await ort.InferenceSession.create(outcome.report.outputs.model);
      const model = readModelFile(outcome.report.outputs.model);
      const logits = (await session.run(batchFeeds(model, batch)))[session.outputNames[0]];
      await session.release();
      const ref = readSafetensors(path.join(dir, 'expected_logits.safetensors')).tensors.get('merged')!;
      assert.deepStrictEqual([...logits.dims], ref.shape);
      const rel = relMaxAbs(logits.data as Float32Array, ref.data as Float32Array);
      assert.ok(rel <= 2e-6, `merged logits relative error ${rel.toExponential(2)}`);
      assert.strictEqual(outcome.report.verification?.pass, true);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });

  function withHead(tensors: Record<string, SafeTensor>): string {
    const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'thanora-mts-bad-'));
    fs.copyFileSync(path.join(dir, 'adapter_config.json'), path.join(copy, 'adapter_config.json'));
    const all = new Map(readSafetensors(path.join(dir, 'adapter_model.safetensors')).tensors);
    for (const [k, v] of Object.entries(tensors)) all.set(k, v);
    writeSafetensors(path.join(copy, 'adapter_model.safetensors'), all);
    return copy;
  }

  it('a saved weight of the wrong shape names the key and both shapes', () => {
    const bad = withHead({ 'base_model.model.classifier.weight': { dtype: 'F32', shape: [5, 64], data: new Float32Array(5 * 64) } });
    const model = readModelFile(path.join(dir, 'model.onnx'));
    assert.throws(
      () => setupPeftLora(model, readPeftAdapter(bad)),
      (e: Error) => e.message.includes("'base_model.model.classifier.weight'") && e.message.includes('[5,64]') && e.message.includes('[3,64]'),
    );
    fs.rmSync(bad, { recursive: true, force: true });
  });

  it('a saved module the model lacks names the key', () => {
    const bad = withHead({ 'base_model.model.score.weight': { dtype: 'F32', shape: [3, 64], data: new Float32Array(3 * 64) } });
    const model = readModelFile(path.join(dir, 'model.onnx'));
    assert.throws(() => setupPeftLora(model, readPeftAdapter(bad)), (e: Error) => e.message.includes("'base_model.model.score.weight'") && e.message.includes("'score'"));
    fs.rmSync(bad, { recursive: true, force: true });
  });
});
