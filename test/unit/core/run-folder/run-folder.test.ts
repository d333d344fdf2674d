// The run folder's one-writer protocol: a run is created whole and locked; a second writer is refused with the
// holder named; a run whose process is gone reads as 'interrupted' and is repaired when reopened to resume.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DiskFullError } from '../../../../src/core/io/file-errors';
import { LockedError, markRunFailed, readRunEvents, readRunStatus, RunFolder } from '../../../../src/core/run-folder';
import { deadPid, fillDisk, mountTmpfs, skipWithoutTmpfs } from '../../../support/tmpfs';
import { writeSyntheticRun } from '../../../support/synthetic-run';

const running = { state: 'running' as const, step: 0, totalSteps: 10, pid: process.pid };

describe('run folder: one writer', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'thanora-runfolder-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('creates a run whole (config, status, lock) and holds it until released', () => {
    const run = RunFolder.create(path.join(dir, 'runs'), 'thanora', { lr: 1 }, running);
    assert.deepStrictEqual(fs.readdirSync(path.join(dir, 'runs')), [run.runId], 'no staging folder is left');
    assert.deepStrictEqual(fs.readdirSync(run.dir).sort(), ['config.json', 'run.lock', 'status.json']);
    assert.strictEqual(readRunStatus(run.dir)?.state, 'running');
    assert.throws(
      () => RunFolder.openForWriting(run.dir),
      (e: Error) =>
        e instanceof LockedError &&
        new RegExp(
          `^run folder ${run.dir} is in use by process ${process.pid} on ${os.hostname()} \\(training since .+\\); wait for it to end or stop it first \\(if no such process is running, delete ${path.join(run.dir, 'run.lock')}\\)$`,
        ).test(e.message),
    );
    assert.strictEqual(markRunFailed(run.dir, 'host thinks the worker died'), false, 'the live writer keeps its run');
    run.release();
    assert.ok(!fs.existsSync(path.join(run.dir, 'run.lock')));
    const second = RunFolder.create(path.join(dir, 'runs'), 'thanora', {}, running);
    assert.notStrictEqual(second.runId, run.runId);
    second.release();
  });

  it('a running run whose process is gone reads as interrupted; reopening it repairs the record', () => {
    const runDir = writeSyntheticRun(dir, { runId: 'r', steps: 40, upToStep: 12 });
    fs.writeFileSync(path.join(runDir, 'config.json'), '{}');
    const pid = deadPid();
    const status = JSON.parse(fs.readFileSync(path.join(runDir, 'status.json'), 'utf8'));
    fs.writeFileSync(path.join(runDir, 'status.json'), JSON.stringify({ ...status, pid, step: 10 }));
    fs.writeFileSync(path.join(runDir, 'run.lock'), JSON.stringify({ pid, host: os.hostname(), since: new Date().toISOString(), purpose: 'training' }));
    fs.appendFileSync(path.join(runDir, 'metrics.jsonl'), '{"type":"step","st');
    fs.mkdirSync(path.join(runDir, 'checkpoints', `step-00000012.tmp-${pid}-k`), { recursive: true });
    assert.strictEqual(readRunStatus(runDir)?.state, 'interrupted');
    const run = RunFolder.openForWriting(runDir);
    const events = readRunEvents(runDir);
    assert.deepStrictEqual({ ...events[events.length - 1], time: '' }, { type: 'end', step: 12, time: '', state: 'interrupted' }, 'ends at the last recorded step');
    assert.deepStrictEqual(fs.readdirSync(path.join(runDir, 'checkpoints')), [], 'the dead writer’s temp is gone');
    run.release();
  });

  it('a running run written without a lock is live while its pid is', () => {
    const runDir = writeSyntheticRun(dir, { runId: 'r', steps: 40, upToStep: 5 });
    assert.strictEqual(readRunStatus(runDir)?.state, 'running');
    const status = JSON.parse(fs.readFileSync(path.join(runDir, 'status.json'), 'utf8'));
    fs.writeFileSync(path.join(runDir, 'status.json'), JSON.stringify({ ...status, pid: deadPid() }));
    assert.strictEqual(readRunStatus(runDir)?.state, 'interrupted');
  });
});

describe('run folder: creating a run on a full disk (tmpfs)', function () {
  before(function () {
    skipWithoutTmpfs(this);
  });

  it('fails as "disk full" and leaves no half-made run', () => {
    const fsys = mountTmpfs(256 * 1024)!;
    try {
      fillDisk(fsys.dir, 32 * 1024);
      const big = { notes: 'x'.repeat(300_000) };
      assert.throws(() => RunFolder.create(path.join(fsys.dir, 'runs'), 'thanora', big, running), (e: Error) => e instanceof DiskFullError && /^disk full: writing .*config\.json needs 300/.test(e.message));
      assert.deepStrictEqual(fs.readdirSync(path.join(fsys.dir, 'runs')), []);
    } finally {
      fsys.unmount();
    }
  });
});
