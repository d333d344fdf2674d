import * as assert from 'assert';
import { blockMapFor } from '../../../../src/core/thanora/block-map';
import { optimizerLrScales, taskBlockLrScales } from '../../../../src/core/thanora/task-block-lr';

describe('thanora/taskBlockLrScales', () => {
  it('puts k on the task blocks’ rows of A and columns of B, 1 on the cooperative block', () => {
    // r = 4: task 0 rank 1 (offset 0), task 1 rank 2 (offsets 1-2), cooperative rank 1 (offset 3); d_in 3, d_out 2.
    const scales = taskBlockLrScales([{ peftName: 'q', dIn: 3, dOut: 2 }], new Map([['q', blockMapFor([1, 2], 1)]]), 0.5);
    const k = 0.5;
    // A [4, 3], row-major: rows 0-2 task blocks, row 3 cooperative.
    assert.deepStrictEqual([...scales.get('q.lora_A.weight')!], [k, k, k, k, k, k, k, k, k, 1, 1, 1]);
    // B [2, 4], row-major: columns 0-2 task blocks, column 3 cooperative, in each of the 2 rows.
    assert.deepStrictEqual([...scales.get('q.lora_B.weight')!], [k, k, k, 1, k, k, k, 1]);
  });

  it('a run gets scales only for a method with task blocks and k ≠ 1', () => {
    const modules = [{ peftName: 'q', dIn: 3, dOut: 2 }];
    const maps = new Map([['q', blockMapFor([1, 2], 1)]]);
    assert.strictEqual(optimizerLrScales('thanora', 1, modules, maps), undefined);
    assert.strictEqual(optimizerLrScales('lora', 0.5, modules, new Map([['q', blockMapFor([], 4)]])), undefined);
    assert.deepStrictEqual(optimizerLrScales('thanora', 0.5, modules, maps), taskBlockLrScales(modules, maps, 0.5));
  });

  it('rejects a scale that is not positive and a module without a block map', () => {
    const maps = new Map([['q', blockMapFor([1], 1)]]);
    assert.throws(() => taskBlockLrScales([{ peftName: 'q', dIn: 1, dOut: 1 }], maps, 0), /> 0, got 0/);
    assert.throws(() => taskBlockLrScales([{ peftName: 'v', dIn: 1, dOut: 1 }], maps, 2), /'v' has no block map/);
  });
});
