// `thanora plan` as a user runs it: a child process on the tiny experiment, text and --json, and bad input.
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { AllocationPlan } from '../../../src/core/plan/allocation-plan';
import { writeTinyExperiment } from '../../support/tiny-experiment';

const bin = path.resolve(__dirname, '../../../../bin/thanora.js');

function thanora(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('thanora plan (CLI)', function () {
  this.timeout(120000);
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'thanora-plan-cli-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('--json gives the plan for tools; the text names every task and the cache it reused', () => {
    const file = writeTinyExperiment(dir);
    const json = thanora('plan', file, '--json', '--no-estimate');
    assert.strictEqual(json.code, 0, json.stderr);
    const plan = JSON.parse(json.stdout) as AllocationPlan;
    assert.deepStrictEqual(plan.tasks, ['count', 'copy']);
    assert.strictEqual(plan.modules.length, 6);
    assert.strictEqual(plan.noEstimate, 'not asked for (--no-estimate)');
    const text = thanora('plan', file, '--no-estimate');
    assert.strictEqual(text.code, 0, text.stderr);
    assert.match(text.stdout, /r_t \(H_t\) of task 'count', layer × module, and the layer's mean:/);
    assert.match(text.stdout, /r_t \(H_t\) of task 'copy', layer × module, and the layer's mean:/);
    assert.match(text.stdout, /spectra of 6\/6 modules reused/);
  });

  it('names the problem in a bad experiment file and exits 1; a missing argument is a usage error (2)', () => {
    const file = writeTinyExperiment(dir, { lora: { targets: ['q_proj'], r: 0, alpha: 8 } });
    const bad = thanora('plan', file, '--no-estimate');
    assert.strictEqual(bad.code, 1);
    assert.match(bad.stderr, /thanora plan: .*thanora\.json.*\/lora\/r/s);
    const usage = thanora('plan');
    assert.strictEqual(usage.code, 2);
    assert.match(usage.stderr, /give the experiment file/);
  });
});
