// adapter-motion (docs/study.md's motion table) against the merged model: W_merged = W′ + s·B·A and
// W′ = W − s·B₀·A₀, so summed over every weight, ‖W_merged − W‖_F = ‖ΔW − ΔW₀‖_F, what the tool calls "moved".
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runTraining } from '../../../src/core/train/run-training';
import { mergeCheckpoint } from '../../../src/core/merge';
import { readModelFile } from '../../../src/core/onnx/model-file';
import { isFloatType, tensorToFloat32 } from '../../../src/core/onnx/tensor-data';
import { adapterMotion } from '../../../src/demo-tools/adapter-motion';
import { writeTinyExperiment } from '../../support/tiny-experiment';

const tinyLlama = path.resolve(__dirname, '../../../../test/fixtures/tiny-llama/model.onnx');

/** ‖merged − base‖_F over all float initializers of the same name. */
function weightDistance(baseFile: string, mergedFile: string): number {
  const merged = new Map(readModelFile(mergedFile).graph.initializers.map((t) => [t.name, t]));
  let sum = 0;
  for (const w of readModelFile(baseFile).graph.initializers) {
    const m = merged.get(w.name);
    if (!m || !isFloatType(w.dataType)) continue;
    const a = tensorToFloat32(w);
    const b = tensorToFloat32(m);
    for (let i = 0; i < a.length; i++) sum += (b[i] - a[i]) ** 2;
  }
  return Math.sqrt(sum);
}

describe('adapter-motion (how far training moved the adapted weights)', function () {
  this.timeout(120000);
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'thanora-motion-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  for (const method of ['thanora', 'lora'] as const) {
    it(`${method}: "moved" equals ‖W_merged − W‖_F of the merged checkpoint (relative 1e-4: float32 weights); the init part is ${method === 'lora' ? '0 (B₀ = 0)' : 'positive'}`, async () => {
      const run = await runTraining(writeTinyExperiment(dir, { training: { steps: 4, checkpointEvery: 4 }, method: { name: method } }));
      assert.strictEqual(run.state, 'finished', run.error);
      const checkpoint = path.join(run.runDir, 'checkpoints', 'step-00000004');
      const motion = adapterMotion(checkpoint);
      assert.strictEqual(motion.modules, 6, 'q_proj, v_proj and down_proj of 2 layers');
      const merged = await mergeCheckpoint(checkpoint, { outDir: path.join(dir, 'merged') });
      assert.strictEqual(merged.report.pass, true);
      const distance = weightDistance(tinyLlama, path.join(merged.outDir, 'model.onnx'));
      assert.ok(distance > 1e-3, `training moved the weights (${distance})`);
      assert.ok(Math.abs(motion.moved - distance) <= 1e-4 * distance, `moved ${motion.moved} vs merged − base ${distance}`);
      if (method === 'lora') assert.strictEqual(motion.init, 0);
      else assert.ok(motion.init > 0, `the ThanoRA init moved W into the factors (${motion.init})`);
    });
  }
});
