import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { summarizeRun } from '../../../../src/core/run-folder';
import { accuracyResults, flattenSettings } from '../../../../src/core/run-folder/run-results';
import type { RunEvent } from '../../../../src/protocol/run-events';
import { writeSyntheticRun } from '../../../support/synthetic-run';

describe('run folder: results for the runs table', () => {
  it('flattens the config to dotted keys, leaving out where the file and the runs are', () => {
    const config = { file: '/w/thanora.json', output: '/w/runs', lora: { r: 8, targets: { kind: 'all-linear' } }, tasks: [{ name: 'a', weight: 1 }], device: 'cpu', threads: 0, x: null };
    assert.deepStrictEqual(flattenSettings(config), { 'lora.r': 8, 'lora.targets.kind': 'all-linear', 'tasks.0.name': 'a', 'tasks.0.weight': 1, device: 'cpu', threads: 0, x: null });
  });

  it('per task: the step-0 eval (the base model), the last, and the best with its step', () => {
    const evalAt = (step: number, a: number, b: number): RunEvent => ({ type: 'eval', step, tasks: [{ task: 'a', loss: 1, accuracy: a, examples: 8 }, { task: 'b', loss: 1, accuracy: b, examples: 8 }] });
    assert.deepStrictEqual(accuracyResults([evalAt(0, 0.1, 0.2), evalAt(50, 0.7, 0.4), evalAt(100, 0.6, 0.5)]), [
      { task: 'a', base: 0.1, final: 0.6, best: 0.7, bestStep: 50 },
      { task: 'b', base: 0.2, final: 0.5, best: 0.5, bestStep: 100 },
    ]);
    assert.deepStrictEqual(accuracyResults([evalAt(100, 0.6, 0.5)])[0], { task: 'a', base: null, final: 0.6, best: 0.6, bestStep: 100 }, 'no step-0 eval: no base');
    assert.deepStrictEqual(accuracyResults([]), []);
  });

  it('a listed run carries its settings and results', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'thanora-results-'));
    try {
      const runDir = writeSyntheticRun(root, { runId: 'r', steps: 40, evalEvery: 20 });
      fs.writeFileSync(path.join(runDir, 'config.json'), JSON.stringify({ method: { name: 'thanora', lambda: 0.001 } }));
      const summary = summarizeRun(runDir);
      assert.deepStrictEqual(summary.results.settings, { 'method.name': 'thanora', 'method.lambda': 0.001 });
      assert.deepStrictEqual(summary.results.accuracy.map((t) => [t.task, t.bestStep]), [['reverse', 40], ['uppercase', 40]]);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
