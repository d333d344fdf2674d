// The transformers + PEFT oracle on real exports (test/fixtures/hf: Llama, Qwen2, Mistral, Phi-3, GPT-2 and
// BERT sequence classification, each by torch 2.13's dynamo and TorchScript exporters): the loss and every
// LoRA gradient of the fixture's PEFT adapter equal PEFT's own (computed in float64), and merging the adapter
// gives PEFT's adapted logits.
// Tolerances: loss 1e-5 relative in float32 and 1e-9 in float64; each gradient tensor
// max|ours − PEFT| / max|PEFT| ≤ 1e-4 in float32 and ≤ 1e-6 in float64. In float64 the exports still carry
// float32 constants (the rotary cos/sin tables are baked in as float32), and ops ONNX Runtime runs only in
// float32 (Gelu) keep float32 round-off locally: measured ≤ 1.5e-7 (rotary models), ≤ 1e-7 (GPT-2, BERT);
// merged logits 1e-4 relative (float32 runtime vs PEFT's float64).
// Fixtures whose adapter has more than LoRA tensors (modules_to_save) are covered by their own suite.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { readBatchFile } from '../../../../src/core/io/batch-file';
import { readPeftAdapter } from '../../../../src/core/io/peft-adapter';
import { readSafetensors } from '../../../../src/core/io/safetensors';
import { mergePeftAdapter } from '../../../../src/core/merge/merge-adapter';
import { readModelFile } from '../../../../src/core/onnx/model-file';
import { Precision, buildLoraTrainingGraph } from '../../../../src/core/train/lora-training-graph';
import { setupPeftLora } from '../../../../src/core/train/peft-lora-setup';
import { TrainStepSession } from '../../../../src/core/train/train-step-session';
import { makeTempDir, relativeMaxDiff, runModelFile } from '../merge/merge-test-helpers';

const hfDir = path.join(__dirname, '../../../../../test/fixtures/hf');
const readJson = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8'));
const fixtures = fs
  .readdirSync(hfDir)
  .filter((d) => d.startsWith('hf-') && readJson(path.join(hfDir, d, 'meta.json')).other_adapter_tensors.length === 0);

const tolerances: Record<Precision, { loss: number; grad: number }> = {
  float32: { loss: 1e-5, grad: 1e-4 },
  float64: { loss: 1e-9, grad: 1e-6 },
};

for (const name of fixtures) {
  describe(`transformers + PEFT oracle: ${name}`, function () {
    this.timeout(180000);
    const dir = path.join(hfDir, name);
    const model = readModelFile(path.join(dir, 'model.onnx'));
    const adapter = readPeftAdapter(dir);
    const batch = readBatchFile(path.join(dir, 'batch.json'));
    const expected = readJson(path.join(dir, 'expected.json'));

    for (const precision of ['float32', 'float64'] as Precision[]) {
      it(`${precision}: the loss and every LoRA gradient equal PEFT's`, async () => {
        const setup = setupPeftLora(model, adapter);
        const graph = await buildLoraTrainingGraph(model, { ...setup, precision }, batch);
        const session = await TrainStepSession.open(graph, { device: 'cpu', threads: 1 });
        const result = await session.run(batch, setup.values);
        await session.release();
        const tol = tolerances[precision];
        const lossRel = Math.abs(result.loss - expected.loss) / Math.abs(expected.loss);
        assert.ok(lossRel <= tol.loss, `loss ${result.loss} vs PEFT ${expected.loss} (relative ${lossRel.toExponential(2)})`);
        const reference = readSafetensors(path.join(dir, 'expected_grads_f64.safetensors')).tensors;
        assert.strictEqual(result.grads.size, reference.size, 'one gradient per adapter tensor');
        for (const [key, ref] of reference) {
          const ours = result.grads.get(key.replace(/^base_model\.model\./, ''));
          assert.ok(ours, `no gradient for ${key}`);
          const rel = relativeMaxDiff(ours, ref.data as Float64Array);
          assert.ok(rel <= tol.grad, `${key}: relative gradient error ${rel.toExponential(2)} > ${tol.grad}`);
        }
      });
    }

    it("merge: the merged model's logits are PEFT's adapted logits and the report checked them", async () => {
      const out = makeTempDir();
      try {
        const outcome = await mergePeftAdapter(path.join(dir, 'model.onnx'), dir, { outDir: out, batchFile: path.join(dir, 'batch.json') });
        const logits = readSafetensors(path.join(dir, 'expected_logits.safetensors')).tensors;
        const merged = await runModelFile(path.join(out, 'model.onnx'), batch);
        const rel = relativeMaxDiff(merged, logits.get('adapted')!.data as Float32Array);
        assert.ok(rel <= 1e-4, `merged logits relative error ${rel.toExponential(2)}`);
        // The adapter must matter, or the check above could pass on the base model.
        assert.ok(relativeMaxDiff(merged, logits.get('base')!.data as Float32Array) > 1e-3);
        assert.strictEqual(outcome.report.pass, true);
        assert.ok(outcome.report.verification!.maxRelativeDiff <= 1e-4);
      } finally {
        fs.rmSync(out, { recursive: true, force: true });
      }
    });
  });
}
