// The SPR loss term in the training graph equals the JS oracle thanora/spr.ts on the initial thanora adapter
// of tiny-llama (relative 1e-5, float32 graph), and L = L_task + λ·L_SPR (relative 1e-6).
import * as assert from 'assert';
import * as path from 'path';
import { resolveTargets } from '../../../../src/core/lora/resolve-targets';
import { readModelFile } from '../../../../src/core/onnx/model-file';
import { adapterMatrices } from '../../../../src/core/method/adapter-values';
import { initializeMethod } from '../../../../src/core/method/method-init';
import { sprLossTerm, sprTermName } from '../../../../src/core/method/spr-term';
import { blockMapFor } from '../../../../src/core/thanora/block-map';
import { sprLoss } from '../../../../src/core/thanora/spr';
import { buildLoraTrainingGraph } from '../../../../src/core/train/lora-training-graph';
import { TrainStepSession } from '../../../../src/core/train/train-step-session';
import { fixtures, llamaTargets, methodConfig, range, syntheticBatches } from './method-fixtures';

describe('method/spr-term', function () {
  this.timeout(120000);
  it('the graph term equals the JS L_SPR of the initial adapter, and the loss adds λ·L_SPR', async () => {
    const model = readModelFile(path.join(fixtures, 'tiny-llama', 'model.onnx'));
    const modules = resolveTargets(model, llamaTargets);
    const preview = [syntheticBatches(31, range(3, 20), 4, 10, 4), syntheticBatches(32, range(40, 96), 4, 10, 4)];
    const method = methodConfig({ lambda: 0.5, sprSides: 'A' });
    const init = await initializeMethod({ model, modules, lora: { r: 8, alpha: 16 }, method, tasks: ['a', 'b'], seed: 1, preview, device: 'cpu', threads: 1 });
    const term = sprLossTerm(method, init.blockMaps)!;
    const batch = syntheticBatches(33, range(0, 96), 2, 8, 2)[0];
    const graph = await buildLoraTrainingGraph(init.model, { modules, rank: init.rank, alpha: 16, head: 'causal_lm', extraTerms: [term] }, batch);
    const session = await TrainStepSession.open(graph, { device: 'cpu', threads: 1 });
    const step = await session.run(batch, init.values);
    await session.release();
    const jsModules = modules.map((m) => ({ ...adapterMatrices(init.values, m.peftName, init.rank, m.dIn, m.dOut), blocks: init.blockMaps.get(m.peftName)! }));
    const expected = sprLoss(jsModules, 'A').value;
    const got = step.terms.get(sprTermName)!;
    assert.ok(expected > 1e-3, `the initial task blocks overlap, L_SPR = ${expected}`);
    assert.ok(Math.abs(got - expected) <= 1e-5 * expected, `graph ${got} vs JS ${expected}`);
    assert.notStrictEqual(sprLoss(jsModules, 'both').value, expected);
    assert.ok(Math.abs(step.loss - (step.taskLoss + 0.5 * got)) <= 1e-6 * step.loss);
  });

  it('gives no term for λ = 0, the baselines, or a single task', () => {
    const maps = new Map([['m', blockMapFor([2, 3], 1)]]);
    assert.strictEqual(sprLossTerm({ name: 'thanora', lambda: 0, sprSides: 'both' }, maps), undefined);
    assert.strictEqual(sprLossTerm({ name: 'lora', lambda: 1e-3, sprSides: 'both' }, maps), undefined);
    assert.strictEqual(sprLossTerm({ name: 'thanora', lambda: 1e-3, sprSides: 'both' }, new Map([['m', blockMapFor([4], 2)]])), undefined);
    assert.strictEqual(sprLossTerm({ name: 'thanora', lambda: 1e-3, sprSides: 'both' }, maps)!.weight, 1e-3);
  });

  it('rejects task blocks that are not first and in task order', () => {
    const swapped = { rank: 4, blocks: [{ kind: 'task' as const, task: 1, offset: 0, rank: 2 }, { kind: 'task' as const, task: 0, offset: 2, rank: 2 }] };
    assert.throws(() => sprLossTerm({ name: 'thanora', lambda: 1, sprSides: 'both' }, new Map([['m', swapped]])), /task blocks first, contiguous and in task order/);
  });
});
