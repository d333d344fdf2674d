// float16 / bfloat16 exports on the CPU compute in float32 from the same half weights. Oracles (transformers +
// PEFT, scripts/fixtures/make-half-precision-fixtures.py): the model with those half weights widened exactly,
// computed in float64. Tolerances: logits 1e-5 relative (float32 compute, 2 layers); loss 1e-5 relative;
// LoRA gradients 1e-4 relative max-abs, as for the float32 fixtures.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { LogitsSession } from '../../../../src/core/generate/logits-session';
import { readBatchFile } from '../../../../src/core/io/batch-file';
import { readPeftAdapter } from '../../../../src/core/io/peft-adapter';
import { readSafetensors } from '../../../../src/core/io/safetensors';
import { readModelFile } from '../../../../src/core/onnx/model-file';
import { DataType } from '../../../../src/core/onnx/types';
import { hasHalfPrecision, widenHalfPrecision } from '../../../../src/core/onnx/widen-half-precision';
import { buildLoraTrainingGraph } from '../../../../src/core/train/lora-training-graph';
import { setupPeftLora } from '../../../../src/core/train/peft-lora-setup';
import { TrainStepSession } from '../../../../src/core/train/train-step-session';

const fixtures = path.join(__dirname, '../../../../../test/fixtures');

function relMaxAbs(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  let m = 0;
  for (let i = 0; i < b.length; i++) {
    d = Math.max(d, Math.abs(a[i] - b[i]));
    m = Math.max(m, Math.abs(b[i]));
  }
  return d / m;
}

describe('half-precision exports computed in float32', function () {
  this.timeout(120000);

  for (const name of ['llama-float16-ts', 'llama-bfloat16-dynamo']) {
    const dir = path.join(fixtures, 'half', name);

    it(`${name}: base logits equal the widened-weights reference`, async () => {
      const model = readModelFile(path.join(dir, 'model.onnx'));
      assert.ok(hasHalfPrecision(model));
      const widened = widenHalfPrecision(model);
      assert.ok(!hasHalfPrecision({ ...widened, graph: { ...widened.graph, initializers: [] } }), 'something still computes in half');
      assert.ok(widened.graph.initializers.some((t) => t.dataType === DataType.FLOAT16 || t.dataType === DataType.BFLOAT16), 'the weights stay half on disk');
      const session = await LogitsSession.open(model, [], { device: 'cpu', threads: 1 });
      try {
        const logits = await session.run(readBatchFile(path.join(dir, 'batch.json')));
        const ref = readSafetensors(path.join(dir, 'expected_logits.safetensors')).tensors.get('base')!;
        assert.deepStrictEqual(logits.dims, ref.shape);
        const rel = relMaxAbs(logits.data, ref.data as Float32Array);
        assert.ok(rel <= 1e-5, `relative error ${rel}`);
      } finally {
        await session.release();
      }
    });
  }

  it('llama-float16-ts: loss and LoRA gradients match PEFT on the widened weights', async () => {
    const dir = path.join(fixtures, 'half', 'llama-float16-ts');
    const model = readModelFile(path.join(dir, 'model.onnx'));
    const setup = setupPeftLora(model, readPeftAdapter(dir));
    const batch = readBatchFile(path.join(dir, 'batch.json'));
    const graph = await buildLoraTrainingGraph(model, setup, batch);
    const session = await TrainStepSession.open(graph, { device: 'cpu', threads: 1 });
    try {
      const result = await session.run(batch, setup.values);
      const expected = JSON.parse(fs.readFileSync(path.join(dir, 'expected.json'), 'utf8'));
      assert.ok(Math.abs(result.loss - expected.loss) <= 1e-5 * expected.loss, `loss ${result.loss} vs ${expected.loss}`);
      const grads = readSafetensors(path.join(dir, 'expected_grads.safetensors')).tensors;
      assert.strictEqual(result.grads.size, grads.size);
      for (const [key, ref] of grads) {
        const ours = result.grads.get(key.replace(/^base_model\.model\./, ''))!;
        assert.ok(ours instanceof Float32Array, `${key}: gradients are float32`);
        assert.ok(relMaxAbs(ours, ref.data as Float32Array) <= 1e-4, key);
      }
    } finally {
      await session.release();
    }
  });

  it('returns a model without half types unchanged', () => {
    const model = readModelFile(path.join(fixtures, 'tiny-llama/model.onnx'));
    assert.strictEqual(widenHalfPrecision(model), model);
  });
});
