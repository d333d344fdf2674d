// The planted test of the issue on test/fixtures/bench-llama (vocab 512, d 256): task A's tokens come from
// only 4 distinct ids, task B's from 96. In layer 0 every adapted module's inputs span at most a few
// directions for A and many for B, so HASI must give B more rank than A in every module (q, k, v, o, gate,
// up, down), with r = 16. Exact inequalities; the entropies are checked the same way.
import * as assert from 'assert';
import * as path from 'path';
import { resolveTargets } from '../../../../src/core/lora/resolve-targets';
import { readModelFile } from '../../../../src/core/onnx/model-file';
import { initializeMethod } from '../../../../src/core/method/method-init';
import { fixtures, methodConfig, range, syntheticBatches } from './method-fixtures';

describe('method: HASI planted heterogeneity on bench-llama', function () {
  this.timeout(180000);
  it('the task whose inputs span more directions gets more rank in every layer-0 module', async () => {
    const model = readModelFile(path.join(fixtures, 'bench-llama', 'model.onnx'));
    const modules = resolveTargets(model, ['re:^model\\.layers\\.0\\.']);
    assert.strictEqual(modules.length, 7);
    const narrow = syntheticBatches(21, [17, 101, 233, 400], 8, 16, 8);
    const wide = syntheticBatches(22, range(300, 396), 8, 16, 8);
    const init = await initializeMethod({
      model,
      modules,
      lora: { r: 16, alpha: 32 },
      method: methodConfig({ cooperativeRank: 5 }),
      tasks: ['narrow', 'wide'],
      seed: 3,
      preview: [narrow, wide],
      device: 'cpu',
      threads: 1,
    });
    for (const entry of init.allocation!) {
      const [a, b] = entry.ranks;
      assert.ok(b > a, `${entry.module}: ranks ${entry.ranks}, entropies ${entry.entropies.map((h) => h.toFixed(3))}`);
      assert.ok(entry.entropies[1] > entry.entropies[0], entry.module);
      assert.strictEqual(a + b + entry.cooperativeRank, 16);
    }
  });
});
