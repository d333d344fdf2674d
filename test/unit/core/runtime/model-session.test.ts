// Models past protobuf's 2 GiB limit are opened through a temp file with external data. Forcing that path
// (inlineLimit 0) on a small model must give bit-identical results to the in-memory path.
import * as assert from 'assert';
import * as path from 'path';
import { readBatchFile } from '../../../../src/core/io/batch-file';
import { readPeftAdapter } from '../../../../src/core/io/peft-adapter';
import { readModelFile } from '../../../../src/core/onnx/model-file';
import { buildLoraTrainingGraph } from '../../../../src/core/train/lora-training-graph';
import { setupPeftLora } from '../../../../src/core/train/peft-lora-setup';
import { TrainStepSession } from '../../../../src/core/train/train-step-session';

describe('openModelSession', () => {
  it('the external-data path gives exactly the in-memory results (tiny-llama training step)', async () => {
    const dir = path.resolve(__dirname, '../../../../../test/fixtures/tiny-llama');
    const model = readModelFile(path.join(dir, 'model.onnx'));
    const setup = setupPeftLora(model, readPeftAdapter(dir));
    const batch = readBatchFile(path.join(dir, 'batch.json'));
    const graph = await buildLoraTrainingGraph(model, setup, batch);
    const results = [];
    for (const inlineLimit of [undefined, 0]) {
      const session = await TrainStepSession.open(graph, { device: 'cpu', threads: 1, inlineLimit });
      results.push(await session.run(batch, setup.values));
      await session.release();
    }
    assert.strictEqual(results[1].loss, results[0].loss);
    for (const [name, g] of results[0].grads) assert.deepStrictEqual(results[1].grads.get(name), g, name);
  });
});
