// The sweep table's model without a browser (the browser test checks a sweep with a baseline in the page):
// a sweep without a baseline has no Δ columns, a sweep without a seed axis names its runs "run", and the
// numbers are written as results.md writes them (mean ± sample std over the finished runs).
import * as assert from 'assert';
import { summarizeSweep } from '../../../src/core/sweep/sweep-results';
import { sweepTableModel } from '../../../webview/src/sweep-table-model';

const evalOf = (copy: number) => [{ task: 'copy', loss: 1 - copy, accuracy: copy, examples: 10 }];

describe('sweep table', () => {
  it('no baseline: accuracy mean ± std per configuration and no Δ columns; runs without a seed axis are "run"', () => {
    const runs = [
      { values: { 'lora.r': 4 }, state: 'finished', tasks: evalOf(0.5), runDir: '/s/a' },
      { values: { 'lora.r': 8 }, state: 'failed', runDir: '/s/b' },
    ];
    const results = summarizeSweep(runs, { 'lora.r': [4, 8] }, {}, ['copy']);
    const model = sweepTableModel({ sweepDir: '/s', name: 'sweep-1', results });
    assert.deepStrictEqual(model.head.map((h) => h.text), ['lora.r', 'runs', 'copy %', 'mean over tasks %']);
    assert.deepStrictEqual(
      model.rows.map((r) => [r.values, r.runs.map((x) => x.text), r.cells.map((c) => c.text)]),
      [
        [['4'], ['run: finished'], ['50.0', '50.0']],
        [['8'], ['run: failed'], ['–', '–']],
      ],
    );
    assert.match(model.note, /^Runs: 1 finished, 1 failed\. /);
    assert.ok(!model.note.includes('Δ'));
  });

  it('seeds: mean ± sample std over the finished seeds, paired Δ with the number of pairs', () => {
    const point = (method: string, seed: number, copy: number) => ({ values: { 'method.name': method, 'training.seed': seed }, state: 'finished', tasks: evalOf(copy) });
    const runs = [point('thanora', 1, 0.6), point('thanora', 2, 0.8), point('lora', 1, 0.5), point('lora', 2, 0.5)];
    const results = summarizeSweep(runs, { 'method.name': ['thanora', 'lora'], 'training.seed': [1, 2] }, { 'method.name': 'lora' }, ['copy']);
    const [thanora, lora] = sweepTableModel({ sweepDir: '/s', name: 'sweep-2', results }).rows;
    // 60, 80 → 70.0 ± 14.1; Δ to lora's 50, 50: 10, 30 → 20.0 ± 14.1 over 2 pairs.
    assert.deepStrictEqual(thanora.cells.slice(0, 2).map((c) => c.text), ['70.0 ± 14.1', '20.0 ± 14.1 (2)']);
    assert.deepStrictEqual(thanora.runs.map((r) => r.text), ['seed 1: finished', 'seed 2: finished']);
    assert.deepStrictEqual([lora.isBaseline, lora.cells[1].text], [true, '']);
  });
});
