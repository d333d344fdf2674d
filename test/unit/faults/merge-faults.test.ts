// kill -9 of the real `thanora merge` while it re-merges into a folder that already holds a verified merge, at
// seeded random moments between the start of its staging folder and its exit. Whatever the moment, the folder
// must hold one whole merge whose report describes the files beside it byte for byte (the previous one or the
// new one, never a mix), once what the killed process left is recovered the way the next merge recovers it.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { cleanDeadTemps } from '../../../src/core/io/temp-names';
import { assertReportMatchesFolder } from '../core/merge/merge-test-helpers';
import { faultRng, leftovers, onlyRun, sleep, sweepSize, thanora, writeFaultExperiment } from './fault-harness';

describe('faults: kill -9 of thanora merge', function () {
  this.timeout(0);
  let tmp: string;
  let runDir: string;
  let merged: string;
  /** Milliseconds from the staging folder's appearance to the end of an uninterrupted re-merge. */
  let window: number;

  const staging = () => fs.readdirSync(runDir).some((n) => /^merged\.tmp-\d+-/.test(n));

  before(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'thanora-merge-faults-'));
    const dir = path.join(tmp, 'exp');
    assert.strictEqual((await thanora(['train', writeFaultExperiment(dir)]).done).code, 0);
    runDir = onlyRun(path.join(dir, 'runs'))!;
    merged = path.join(runDir, 'merged');
    const first = await thanora(['merge', runDir]).done;
    assert.strictEqual(first.code, 0, first.stderr);
    const { child, done } = thanora(['merge', path.join(runDir, 'checkpoints/step-00000004'), '--out', merged]);
    while (child.exitCode === null && !staging()) await sleep(1);
    const t0 = Date.now();
    assert.strictEqual((await done).code, 0);
    window = Date.now() - t0;
    assert.strictEqual(assertReportMatchesFolder(merged).source.step, 4);
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it(`kill -9 of a re-merge at ${sweepSize(4)} random moments: one whole merge, its report true to its files`, async () => {
    const { rng, seed } = faultRng('merge-kill');
    for (let k = 0; k < sweepSize(4); k++) {
      const previous = assertReportMatchesFolder(merged).source.step;
      const step = previous === 4 ? 12 : 4;
      const { child, done } = thanora(['merge', path.join(runDir, `checkpoints/step-${String(step).padStart(8, '0')}`), '--out', merged]);
      // Past the window too: some kills land after the commit, or after the process ended.
      const ms = Math.round(rng.uniform(0, 1.3 * window));
      while (child.exitCode === null && !staging()) await sleep(1);
      await sleep(ms);
      child.kill('SIGKILL');
      const r = await done;
      const where = `kill ${k} (seed ${seed}) ${ms} ms into the re-merge of step ${step}${r.signal === 'SIGKILL' ? '' : ` (it had exited with ${r.code})`}`;
      // What the next merge does first: put back a folder moved aside, drop dead staging folders.
      cleanDeadTemps(runDir, 'merged');
      const report = assertReportMatchesFolder(merged);
      if (process.env.THANORA_FAULT_LOG) console.log(`      ${where}: holds step ${report.source.step} (window ${window} ms)`);
      assert.ok([previous, step].includes(report.source.step!), `${where}: holds step ${report.source.step}`);
      assert.strictEqual(report.pass, true, where);
    }
    const last = await thanora(['merge', runDir]).done;
    assert.strictEqual(last.code, 0, last.stderr);
    assert.strictEqual(assertReportMatchesFolder(merged).source.step, 12);
    assert.deepStrictEqual(leftovers(runDir), []);
    assert.ok(!fs.existsSync(`${merged}.lock`));
  });
});
