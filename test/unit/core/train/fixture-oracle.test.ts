// The PyTorch oracle: for every fixture (LLaMA-, GPT-2- and BERT-style exports, folded and unfolded weights)
// the engine's loss and LoRA gradients equal PyTorch's (computed in float64).
// Tolerances: loss 1e-5 relative; each gradient tensor max|ours − torch| / max|torch| ≤ 1e-4;
// adapted logits max-abs over max-abs ≤ 1e-4. Both hold in float64 for every fixture and in float32 for
// the tiny ones. On bench-llama (4 layers, 1024 tokens) float32 round-off alone exceeds 1e-4: PyTorch's own
// float32 gradients differ from its float64 ones by 8.6e-4 (measured with torch 1.13), so the float32 run
// there is held to 2e-3.
import * as assert from 'assert';
import * as fs from 'fs';
import * as ort from 'onnxruntime-node';
import * as path from 'path';
import { readBatchFile } from '../../../../src/core/io/batch-file';
import { readPeftAdapter } from '../../../../src/core/io/peft-adapter';
import { readSafetensors } from '../../../../src/core/io/safetensors';
import { injectLora } from '../../../../src/core/lora/inject-lora';
import { encodeModel } from '../../../../src/core/onnx/model-codec';
import { readModelFile } from '../../../../src/core/onnx/model-file';
import { batchFeeds } from '../../../../src/core/train/batch-feeds';
import { Precision, buildLoraTrainingGraph } from '../../../../src/core/train/lora-training-graph';
import { setupPeftLora } from '../../../../src/core/train/peft-lora-setup';
import { TrainStepSession } from '../../../../src/core/train/train-step-session';
import { relativeMaxDiff } from '../merge/merge-test-helpers';

const fixtures = path.join(__dirname, '../../../../../test/fixtures');


const cases: [string, Precision, number][] = [
  ['tiny-llama', 'float32', 1e-4],
  ['tiny-gpt2', 'float32', 1e-4],
  ['tiny-bert-cls', 'float32', 1e-4],
  ['tiny-llama-named', 'float32', 1e-4],
  ['bench-llama', 'float32', 2e-3],
  ['tiny-llama', 'float64', 1e-4],
  ['tiny-gpt2', 'float64', 1e-4],
  ['tiny-bert-cls', 'float64', 1e-4],
  ['tiny-llama-named', 'float64', 1e-4],
  ['bench-llama', 'float64', 1e-4],
];

for (const [name, precision, gradTol] of cases) {
  describe(`PyTorch oracle: ${name} in ${precision}`, function () {
    this.timeout(120000);
    const dir = path.join(fixtures, name);
    const model = readModelFile(path.join(dir, 'model.onnx'));
    const adapter = readPeftAdapter(dir);
    const batch = readBatchFile(path.join(dir, 'batch.json'));
    const expected = JSON.parse(fs.readFileSync(path.join(dir, 'expected.json'), 'utf8'));
    const setup = setupPeftLora(model, adapter);

    it('loss and every LoRA gradient match PyTorch', async () => {
      const graph = await buildLoraTrainingGraph(model, { ...setup, precision }, batch);
      const session = await TrainStepSession.open(graph, { device: 'cpu', threads: 1 });
      const result = await session.run(batch, setup.values);
      await session.release();
      const lossRel = Math.abs(result.loss - expected.loss) / Math.abs(expected.loss);
      assert.ok(lossRel <= 1e-5, `loss ${result.loss} vs PyTorch ${expected.loss} (relative ${lossRel.toExponential(2)})`);
      const grads = readSafetensors(path.join(dir, 'expected_grads.safetensors')).tensors;
      assert.strictEqual(result.grads.size, grads.size, 'one gradient per adapter tensor');
      for (const [key, ref] of grads) {
        const ours = result.grads.get(key.replace(/^base_model\.model\./, ''));
        assert.ok(ours, `no gradient for ${key}`);
        const rel = relativeMaxDiff(ours, ref.data as Float32Array);
        assert.ok(rel <= gradTol, `${key}: relative gradient error ${rel.toExponential(2)} > ${gradTol}`);
      }
    });

    if (precision === 'float32') it('adapted logits match PyTorch', async () => {
      const injected = injectLora(model, setup.modules, { rank: setup.rank, alpha: setup.alpha });
      const session = await ort.InferenceSession.create(encodeModel(injected.model));
      const feeds = batchFeeds(injected.model, batch);
      for (const [k, v] of setup.values) {
        const a = injected.adapters.find((x) => x.aInput === k || x.bInput === k)!;
        feeds[k] = new ort.Tensor('float32', v, a.aInput === k ? a.shapeA : a.shapeB);
      }
      const out = await session.run(feeds);
      const ref = readSafetensors(path.join(dir, 'expected_logits.safetensors')).tensors.get('adapted')!;
      const logits = out[session.outputNames[0]].data as Float32Array;
      assert.deepStrictEqual([...out[session.outputNames[0]].dims], ref.shape);
      const rel = relativeMaxDiff(logits, ref.data as Float32Array);
      assert.ok(rel <= 1e-4, `logits relative error ${rel.toExponential(2)}`);
      await session.release();
    });
  });
}
