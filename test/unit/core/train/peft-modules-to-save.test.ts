// A real PEFT 0.21 SEQ_CLS adapter (test/fixtures/hf/hf-bert-cls-mts-ts, BertForSequenceClassification, TorchScript
// export) trains the classifier as modules_to_save and stores it beside the LoRA pairs. The engine must use that
// head: loss within 1e-5 relative of PyTorch's float64 loss, every LoRA gradient within 1e-4 (max-abs relative, as
// the other oracle tests), the head's own gradient within 1e-6 of central finite differences of the float64 loss
// (PEFT's fixture has no head gradient), and the merged model's logits within 2e-6 relative of PEFT's merged model.
// `thanora grad` writes the same (float32: loss within 1e-6 of PEFT's float32 loss). The same head stored
// transposed ([d_in, d_out]) gives the same loss, head gradient (1e-12) and merged logits. Bad heads fail naming
// the key: wrong shape (both shapes), or a module the model lacks; so do keys that match nothing.
import * as assert from 'assert';
import * as fs from 'fs';
import * as ort from 'onnxruntime-node';
import * as os from 'os';
import * as path from 'path';
import { readBatchFile } from '../../../../src/core/io/batch-file';
import { readPeftAdapter } from '../../../../src/core/io/peft-adapter';
import { SafeTensor, readSafetensors, writeSafetensors } from '../../../../src/core/io/safetensors';
import { spawnSync } from 'child_process';
import { mergePeftAdapter } from '../../../../src/core/merge/merge-adapter';
import { planAdapterMerge } from '../../../../src/core/merge/merge-plan';
import { verifyMerge } from '../../../../src/core/merge/merge-verify';
import { readModelFile, writeModelFile } from '../../../../src/core/onnx/model-file';
import { tensorToFloat32 } from '../../../../src/core/onnx/tensor-data';
import { batchFeeds } from '../../../../src/core/train/batch-feeds';
import { buildLoraTrainingGraph } from '../../../../src/core/train/lora-training-graph';
import { setupPeftLora } from '../../../../src/core/train/peft-lora-setup';
import { TrainStepSession } from '../../../../src/core/train/train-step-session';
import { relativeMaxDiff } from '../merge/merge-test-helpers';

const dir = path.join(__dirname, '../../../../../test/fixtures/hf/hf-bert-cls-mts-ts');


describe('PEFT modules_to_save: hf-bert-cls-mts-ts', function () {
  this.timeout(120000);
  const expected = JSON.parse(fs.readFileSync(path.join(dir, 'expected.json'), 'utf8'));
  const batch = readBatchFile(path.join(dir, 'batch.json'));

  it('loss and LoRA gradients (float64) match PEFT with the saved classifier', async () => {
    const model = readModelFile(path.join(dir, 'model.onnx'));
    const setup = setupPeftLora(model, readPeftAdapter(dir));
    assert.deepStrictEqual(setup.saved.map((s) => s.key).sort(), ['base_model.model.classifier.bias', 'base_model.model.classifier.weight']);
    const graph = await buildLoraTrainingGraph(model, { ...setup, precision: 'float64' }, batch);
    const session = await TrainStepSession.open(graph, { device: 'cpu', threads: 1 });
    const result = await session.run(batch, setup.values);
    // ∂L/∂θ_i ≈ (L(θ + h·e_i) − L(θ − h·e_i)) / 2h on a few head entries; the loss is smooth in the head (softmax
    // of an affine map), so with h = 1e-3 the O(h²) error is far below the tolerance.
    const h = 1e-3;
    for (const [input, entries] of [['classifier.weight', [0, 70, 191]], ['classifier.bias', [0, 2]]] as const) {
      const grad = result.grads.get(input)!;
      assert.strictEqual(grad.length, input === 'classifier.weight' ? 3 * 64 : 3);
      for (const i of entries) {
        const shifted = async (delta: number) => {
          const values = new Map(setup.values);
          const v = Float32Array.from(values.get(input)!);
          v[i] += delta;
          values.set(input, v);
          return (await session.run(batch, values)).loss;
        };
        // float32 values: the step actually taken is the rounded one.
        const base = setup.values.get(input)![i];
        const up = Math.fround(base + h) - base;
        const down = base - Math.fround(base - h);
        const fd = ((await shifted(h)) - (await shifted(-h))) / (up + down);
        assert.ok(Math.abs(grad[i] - fd) <= 1e-6, `${input}[${i}]: gradient ${grad[i]} vs finite difference ${fd}`);
      }
    }
    await session.release();
    const lossRel = Math.abs(result.loss - expected.loss) / expected.loss;
    assert.ok(lossRel <= 1e-5, `loss ${result.loss} vs PEFT ${expected.loss}`);
    const grads = readSafetensors(path.join(dir, 'expected_grads_f64.safetensors')).tensors;
    for (const [key, ref] of grads) {
      const ours = result.grads.get(key.replace(/^base_model\.model\./, ''));
      assert.ok(ours, `no gradient for ${key}`);
      const rel = relativeMaxDiff(ours, ref.data as Float32Array);
      assert.ok(rel <= 1e-4, `${key}: relative gradient error ${rel.toExponential(2)}`);
    }
  });

  it('thanora grad gives PEFT\'s loss and gradients, and the head\'s gradient under its adapter keys', () => {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'thanora-mts-grad-')), 'grads.safetensors');
    const bin = path.join(__dirname, '../../../../../bin/thanora.js');
    const r = spawnSync(process.execPath, [bin, 'grad', '--model', path.join(dir, 'model.onnx'), '--adapter', dir, '--batch', path.join(dir, 'batch.json'), '--out', out, '--device', 'cpu'], { encoding: 'utf8' });
    assert.strictEqual(r.status, 0, r.stderr);
    const { loss } = JSON.parse(r.stdout);
    assert.ok(Math.abs(loss - expected.loss_fp32) / expected.loss_fp32 <= 1e-6, `loss ${loss} vs PEFT float32 ${expected.loss_fp32}`);
    const written = readSafetensors(out).tensors;
    const reference = readSafetensors(path.join(dir, 'expected_grads_fp32.safetensors')).tensors;
    assert.deepStrictEqual([...written.keys()].sort(), [...reference.keys(), 'base_model.model.classifier.bias', 'base_model.model.classifier.weight'].sort());
    for (const [key, ref] of reference) {
      const rel = relativeMaxDiff(written.get(key)!.data as Float32Array, ref.data as Float32Array);
      assert.ok(rel <= 1e-4, `${key}: relative gradient error ${rel.toExponential(2)}`);
    }
    assert.deepStrictEqual(written.get('base_model.model.classifier.weight')!.shape, [3, 64]);
    fs.rmSync(path.dirname(out), { recursive: true, force: true });
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
      const rel = relativeMaxDiff(logits.data as Float32Array, ref.data as Float32Array);
      assert.ok(rel <= 2e-6, `merged logits relative error ${rel.toExponential(2)}`);
      assert.strictEqual(outcome.report.verification?.pass, true);
      assert.deepStrictEqual(outcome.report.modulesToSave.map((s) => s.name).sort(), ['classifier.bias', 'classifier.weight']);
      // The verification compares the head too: against a head other than the one merged, it fails.
      const plan = planAdapterMerge(readModelFile(path.join(dir, 'model.onnx')), readPeftAdapter(dir));
      const weight = plan.saved.find((p) => p.param === 'weight')!;
      weight.values = weight.values.map((v) => v * 1.01);
      const probes = [{ task: 'batch', batch }];
      const check = await verifyMerge({ baseModelFile: path.join(dir, 'model.onnx'), mergedModelFile: outcome.report.outputs.model, plan, probes, device: 'cpu' });
      assert.strictEqual(check.pass, false, `a 1% different head still passes: ${check.maxRelativeDiff}`);
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

  it('an adapter key that matches nothing is an error naming the key, for the reader and for grad', () => {
    const bad = withHead({ 'base_model.model.bert.pooler.activation.scale': { dtype: 'F32', shape: [64], data: new Float32Array(64) } });
    assert.throws(() => readPeftAdapter(bad), (e: Error) => e.message.includes("'base_model.model.bert.pooler.activation.scale'") && e.message.includes('modules_to_save (classifier, score)'));
    const bin = path.join(__dirname, '../../../../../bin/thanora.js');
    const r = spawnSync(process.execPath, [bin, 'grad', '--model', path.join(dir, 'model.onnx'), '--adapter', bad, '--batch', path.join(dir, 'batch.json'), '--out', path.join(bad, 'g.safetensors')], { encoding: 'utf8' });
    assert.notStrictEqual(r.status, 0);
    assert.match(r.stderr, /'base_model\.model\.bert\.pooler\.activation\.scale'/);
    fs.rmSync(bad, { recursive: true, force: true });
  });

  it('a LoRA pair for a module the model lacks names the module', () => {
    const bad = withHead({
      'base_model.model.bert.encoder.layer.9.attention.self.query.lora_A.weight': { dtype: 'F32', shape: [4, 64], data: new Float32Array(4 * 64) },
      'base_model.model.bert.encoder.layer.9.attention.self.query.lora_B.weight': { dtype: 'F32', shape: [64, 4], data: new Float32Array(64 * 4) },
    });
    const model = readModelFile(path.join(dir, 'model.onnx'));
    assert.throws(() => setupPeftLora(model, readPeftAdapter(bad)), (e: Error) => e.message.includes("'bert.encoder.layer.9.attention.self.query'"));
    fs.rmSync(bad, { recursive: true, force: true });
  });

  // The same classifier stored [d_in, d_out] (Gemm transB = 0 over the transposed initializer), as MatMul exports
  // hold it: the saved weight (PyTorch [d_out, d_in]) must be transposed into it, and its gradient back.
  it('a head stored transposed: same loss and head gradient, merged logits equal PEFT within 2e-6', async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'thanora-mts-t-'));
    try {
      const model = readModelFile(path.join(dir, 'model.onnx'));
      const gemm = model.graph.nodes.find((n) => n.opType === 'Gemm' && n.inputs[1] === 'classifier.weight')!;
      gemm.attributes = gemm.attributes.map((a) => (a.name === 'transB' ? { ...a, i: 0 } : a));
      const w = model.graph.initializers.find((t) => t.name === 'classifier.weight')!;
      const [rows, cols] = w.dims;
      const v = tensorToFloat32(w);
      const t = new Float32Array(v.length);
      for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) t[j * rows + i] = v[i * cols + j];
      Object.assign(w, { dims: [cols, rows], raw: new Uint8Array(t.buffer) });
      const file = path.join(tmp, 'model.onnx');
      writeModelFile(file, model);

      const transposed = readModelFile(file);
      const setup = setupPeftLora(transposed, readPeftAdapter(dir));
      assert.ok(setup.saved.find((p) => p.param === 'weight')!.transposed);
      const graph = await buildLoraTrainingGraph(transposed, { ...setup, precision: 'float64' }, batch);
      const session = await TrainStepSession.open(graph, { device: 'cpu', threads: 1 });
      const result = await session.run(batch, setup.values);
      await session.release();
      assert.ok(Math.abs(result.loss - expected.loss) / expected.loss <= 1e-5, `loss ${result.loss} vs PEFT ${expected.loss}`);

      const original = readModelFile(path.join(dir, 'model.onnx'));
      const plain = setupPeftLora(original, readPeftAdapter(dir));
      const plainGraph = await buildLoraTrainingGraph(original, { ...plain, precision: 'float64' }, batch);
      const plainSession = await TrainStepSession.open(plainGraph, { device: 'cpu', threads: 1 });
      const reference = await plainSession.run(batch, plain.values);
      await plainSession.release();
      const rel = relativeMaxDiff(result.grads.get('classifier.weight')!, reference.grads.get('classifier.weight')!);
      assert.ok(rel <= 1e-12, `head gradient in PyTorch layout differs by ${rel.toExponential(2)}`);

      const outcome = await mergePeftAdapter(file, dir, { outDir: path.join(tmp, 'merged'), batchFile: path.join(dir, 'batch.json') });
      assert.strictEqual(outcome.report.pass, true, JSON.stringify(outcome.report.verification));
      const ort_ = await ort.InferenceSession.create(outcome.report.outputs.model);
      const logits = (await ort_.run(batchFeeds(transposed, batch)))[ort_.outputNames[0]];
      await ort_.release();
      const ref = readSafetensors(path.join(dir, 'expected_logits.safetensors')).tensors.get('merged')!;
      const logitsRel = relativeMaxDiff(logits.data as Float32Array, ref.data as Float32Array);
      assert.ok(logitsRel <= 2e-6, `merged logits relative error ${logitsRel.toExponential(2)}`);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});
