import * as assert from 'assert';
import type { RunSummary } from '../../../src/protocol/webview-messages';
import { configDiff, runsTableModel } from '../../../webview/src/runs-table-model';

function summary(runId: string, settings: RunSummary['results']['settings'], accuracy: RunSummary['results']['accuracy'] = []): RunSummary {
  return { runDir: `/w/runs/${runId}`, runId, experimentDir: '/w/runs', label: runId, method: 'thanora', state: 'finished', step: 10, totalSteps: 10, results: { settings, accuracy } };
}

describe('runs table', () => {
  it('the config diff lists the settings that differ, or that only some runs have, in config order', () => {
    const runs = [summary('a', { 'lora.r': 8, 'method.name': 'thanora', 'method.lambda': 0.001 }), summary('b', { 'lora.r': 8, 'method.name': 'lora', 'method.lambda': 0.001, seed: 2 })];
    assert.deepStrictEqual(configDiff(runs), ['method.name', 'seed']);
    assert.deepStrictEqual(configDiff(runs.slice(0, 1)), [], 'one run differs from nothing');
  });

  it('shows final accuracy with its change in points against the base model, and the best', () => {
    const model = runsTableModel([
      summary('a', {}, [{ task: 'copy', base: 0.2, final: 0.65, best: 0.7, bestStep: 80 }]),
      summary('b', {}, [{ task: 'copy', base: null, final: 0.5, best: 0.5, bestStep: 100 }]),
      summary('c', {}),
    ]);
    assert.deepStrictEqual(model.tasks, ['copy']);
    assert.deepStrictEqual(model.rows.map((r) => [r.accuracy[0].final, r.accuracy[0].best]), [['65.0% (+45.0)', '70.0%'], ['50.0%', '50.0%'], ['—', '—']]);
    assert.match(model.rows[0].accuracy[0].title, /base 20\.0% → final 65\.0%; best 70\.0% at step 80/);
  });
});
