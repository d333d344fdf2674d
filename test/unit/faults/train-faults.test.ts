// kill -9 of the real `thanora train` at seeded random moments (during setup, between and inside steps, while a
// checkpoint or status.json is written), and two processes on one run folder. After each fault the run folder
// must be sound, read as interrupted, and resume to exactly the losses of an uninterrupted run.
// THANORA_FAULT_SWEEP=N runs N kills instead of the default few; THANORA_FAULT_SEED replays a sweep.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { readRunEvents, readRunStatus } from '../../../src/core/run-folder';
import {
  assertRunFolderSound,
  faultRng,
  leftovers,
  lossesByStep,
  onlyRun,
  sleep,
  stepCount,
  sweepSize,
  thanora,
  TOTAL_STEPS,
  writeFaultExperiment,
} from './fault-harness';

describe('faults: kill -9 of thanora train', function () {
  this.timeout(0);
  let tmp: string;
  let reference: Map<number, number>;

  before(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'thanora-faults-'));
    const dir = path.join(tmp, 'reference');
    const r = await thanora(['train', writeFaultExperiment(dir)]).done;
    assert.strictEqual(r.code, 0, r.stderr);
    reference = lossesByStep(onlyRun(path.join(dir, 'runs'))!);
    assert.strictEqual(reference.size, TOTAL_STEPS);
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  /** Starts a training in `dir` and kills it at a random moment: during setup, or after some steps plus a few ms. */
  async function killTraining(dir: string, rng: ReturnType<typeof faultRng>['rng']): Promise<{ runDir?: string; moment: string }> {
    const runs = path.join(dir, 'runs');
    const { child, done } = thanora(['train', path.join(dir, 'thanora.json')]);
    let moment: string;
    if (rng.nextFloat() < 0.2) {
      const ms = Math.round(rng.uniform(0, 2500));
      moment = `${ms} ms after start`;
      await sleep(ms);
    } else {
      const after = rng.nextInt(TOTAL_STEPS);
      const extra = Math.round(rng.uniform(0, 25));
      moment = `${extra} ms after step ${after}`;
      while (child.exitCode === null && stepCount(onlyRun(runs)) < after) await sleep(2);
      await sleep(extra);
    }
    child.kill('SIGKILL');
    const r = await done;
    if (r.signal !== 'SIGKILL') moment += ` (it had already exited with ${r.code})`;
    return { runDir: onlyRun(runs), moment };
  }

  it(`kill -9 at ${sweepSize(4)} random moments: the run folder stays sound and resumes to the uninterrupted losses`, async () => {
    const { rng, seed } = faultRng('train-kill');
    for (let k = 0; k < sweepSize(4); k++) {
      const dir = path.join(tmp, `kill-${k}`);
      writeFaultExperiment(dir);
      const { runDir, moment } = await killTraining(dir, rng);
      const where = `kill ${k} (seed ${seed}) ${moment}`;
      if (process.env.THANORA_FAULT_LOG) console.log(`      ${where}: ${runDir ? `${stepCount(runDir)} steps recorded` : 'no run folder yet'}`);
      if (!runDir) {
        // Killed before the run folder was renamed into place: at most a staging folder of the dead process.
        assert.ok(leftovers(path.join(dir, 'runs')).every((p) => /\.tmp-\d+-/.test(p)), where);
        continue;
      }
      assertRunFolderSound(runDir, where);
      const r = await thanora(['train', '--resume', runDir]).done;
      if (r.code !== 0) {
        assert.match(r.stderr, /has no checkpoint yet/, `${where}: ${r.stderr}`);
        continue;
      }
      assert.strictEqual(readRunStatus(runDir)?.state, 'finished', where);
      assert.deepStrictEqual(lossesByStep(runDir), reference, `${where}: the resumed losses are the uninterrupted ones`);
      assert.deepStrictEqual(leftovers(runDir), [], `${where}: no temp is left`);
      assert.ok(!fs.existsSync(path.join(runDir, 'run.lock')), where);
    }
  });

  it('two `train --resume` of one killed run at once: one resumes, the other is refused, nothing interleaves', async () => {
    const dir = path.join(tmp, 'concurrent');
    writeFaultExperiment(dir);
    const runs = path.join(dir, 'runs');
    const { child, done } = thanora(['train', path.join(dir, 'thanora.json')]);
    while (child.exitCode === null && stepCount(onlyRun(runs)) < 5) await sleep(2);
    child.kill('SIGKILL');
    await done;
    const runDir = onlyRun(runs)!;
    assert.strictEqual(readRunStatus(runDir)?.state, 'interrupted');
    // Both find the dead process's stale lock; exactly one may take it.
    const [a, b] = await Promise.all([thanora(['train', '--resume', runDir]).done, thanora(['train', '--resume', runDir]).done]);
    const [won, lost] = a.code === 0 ? [a, b] : [b, a];
    assert.strictEqual(won.code, 0, won.stderr);
    assert.strictEqual(lost.code, 1, lost.stderr);
    assert.match(lost.stderr, new RegExp(`^thanora train: run folder ${runDir} is in use by process \\d+ on .+ \\(training since .+\\); wait for it to end or stop it first`, 'm'));
    assert.deepStrictEqual(lossesByStep(runDir), reference);
    const starts = readRunEvents(runDir).filter((e) => e.type === 'start');
    assert.strictEqual(starts.length, 2, 'the refused process wrote nothing');
    assert.strictEqual(readRunStatus(runDir)?.state, 'finished');
  });
});
