// The allocation preview's host side without VS Code: the real worker entry (tsc output of
// src/worker/plan-worker.ts) on the tiny experiment gives the plan the core gives in-process, a bad
// experiment comes back as its error, and the panel's webview messages are checked.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadPlanSetup, planAllocation } from '../../../src/core/plan/allocation-plan';
import { planInWorker } from '../../../src/training/plan-in-worker';
import { parsePlanPanelMessage } from '../../../src/views/parse-plan-panel-message';
import { writeTinyExperiment } from '../../support/tiny-experiment';

const workerPath = path.resolve(__dirname, '../../../src/worker/plan-worker.js');

describe('allocation preview in a worker', function () {
  this.timeout(120000);
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'thanora-plan-worker-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('plans as the core does in-process, with progress lines and a step estimate', async () => {
    const file = writeTinyExperiment(dir);
    const lines: string[] = [];
    const plan = await planInWorker(workerPath, { type: 'plan', experimentFile: file }, (line) => lines.push(line));
    const local = await planAllocation(loadPlanSetup(file), { estimate: false, cache: false });
    assert.deepStrictEqual(plan.modules, local.modules);
    assert.ok(plan.estimate && plan.estimate.stepMs > 0, plan.noEstimate);
    // padding "longest": the estimate is at the longest row of the data (≤ seqLength 16), as real batches are.
    const rows = ['count', 'copy'].flatMap((t) => fs.readFileSync(path.join(dir, `data/${t}.jsonl`), 'utf8').trim().split('\n'));
    assert.strictEqual(plan.estimate.seq, Math.max(...rows.map((line) => (JSON.parse(line) as { input_ids: number[] }).input_ids.length)));
    assert.match(plan.estimate.seqReason, /longest preview batch/);
    assert.ok(lines.some((l) => l.startsWith('preview covariances')), lines.join('\n'));
  });

  it('rejects with the experiment error', async () => {
    const file = writeTinyExperiment(dir, { lora: { targets: ['q_proj'], r: 0, alpha: 8 } });
    await assert.rejects(planInWorker(workerPath, { type: 'plan', experimentFile: file }, () => undefined), /\/lora\/r/);
  });

  it('accepts only ready and refresh from the panel', () => {
    assert.deepStrictEqual(parsePlanPanelMessage({ type: 'ready' }), { type: 'ready' });
    assert.deepStrictEqual(parsePlanPanelMessage({ type: 'refresh' }), { type: 'refresh' });
    for (const bad of [null, [], 'ready', { type: 'ready', extra: 1 }, { type: 'startTraining' }, {}]) assert.strictEqual(parsePlanPanelMessage(bad), undefined, JSON.stringify(bad));
  });
});
