// A full disk under the real CLI, on a tmpfs mounted by the test (root only; skipped with the reason
// otherwise): training that runs out of space mid-run fails naming "disk full" with the path and the bytes,
// keeps a sound run folder and resumes to the uninterrupted losses once space is freed; a re-merge that runs out
// of space fails the same way and leaves the previous merge, and the report vouching for it, untouched.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { readRunStatus } from '../../../src/core/run-folder';
import { fillDisk, mountTmpfs, Tmpfs, skipWithoutTmpfs } from '../../support/tmpfs';
import { assertReportMatchesFolder } from '../core/merge/merge-test-helpers';
import { assertRunFolderSound, leftovers, lossesByStep, onlyRun, thanora, TOTAL_STEPS, writeFaultExperiment } from './fault-harness';

describe('faults: disk full (tmpfs)', function () {
  this.timeout(0);
  let tmp: string;
  let disk: Tmpfs | undefined;
  before(function () {
    skipWithoutTmpfs(this);
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'thanora-diskfull-'));
  });
  afterEach(() => disk?.unmount());
  after(() => tmp && fs.rmSync(tmp, { recursive: true, force: true }));

  it('training: "disk full" with the path and bytes; the run stays sound and resumes exactly after space is freed', async () => {
    const dir = path.join(tmp, 'train');
    const file = writeFaultExperiment(dir);
    const reference = await thanora(['train', file, '--runs-dir', path.join(dir, 'reference')]).done;
    assert.strictEqual(reference.code, 0, reference.stderr);
    const expected = lossesByStep(onlyRun(path.join(dir, 'reference'))!);
    disk = mountTmpfs(4 << 20)!;
    // Room for the run folder, its first checkpoints (about 110 KB each) and some metrics, not for all of it.
    const filler = fillDisk(disk.dir, 300 * 1024);
    const runs = path.join(disk.dir, 'runs');
    const r = await thanora(['train', file, '--runs-dir', runs]).done;
    assert.strictEqual(r.code, 1, r.stdout);
    assert.match(r.stderr, new RegExp(`^thanora train: disk full: writing ${disk.dir}/runs/\\S+ needs \\d+ bytes.*, \\d+ bytes.* free on that disk; free up space`, 'm'));
    const runDir = onlyRun(runs)!;
    assertRunFolderSound(runDir, 'after the disk filled up');
    assert.ok(['failed', 'interrupted'].includes(readRunStatus(runDir)!.state));
    fs.rmSync(filler);
    const resumed = await thanora(['train', '--resume', runDir]).done;
    assert.strictEqual(resumed.code, 0, resumed.stderr);
    assert.strictEqual(lossesByStep(runDir).size, TOTAL_STEPS);
    assert.deepStrictEqual(lossesByStep(runDir), expected);
    assert.deepStrictEqual(leftovers(runDir), []);
  });

  it('merge: "disk full" naming model.onnx and its size; the previous merge and its report stay as they were', async () => {
    const dir = path.join(tmp, 'merge');
    assert.strictEqual((await thanora(['train', writeFaultExperiment(dir)]).done).code, 0);
    const runDir = onlyRun(path.join(dir, 'runs'))!;
    disk = mountTmpfs(2 << 20)!;
    const out = path.join(disk.dir, 'merged');
    const first = await thanora(['merge', path.join(runDir, 'checkpoints/step-00000004'), '--out', out]).done;
    assert.strictEqual(first.code, 0, first.stderr);
    const before = fs.readFileSync(path.join(out, 'merge-report.json'), 'utf8');
    fillDisk(disk.dir, 100 * 1024);
    const r = await thanora(['merge', runDir, '--out', out]).done;
    assert.strictEqual(r.code, 1);
    const modelBytes = fs.statSync(path.join(out, 'model.onnx')).size;
    assert.match(r.stderr, new RegExp(`^thanora merge: disk full: writing ${disk.dir}/merged\\.tmp-\\d+-\\w+/model\\.onnx needs ${modelBytes} bytes`, 'm'));
    assert.strictEqual(fs.readFileSync(path.join(out, 'merge-report.json'), 'utf8'), before);
    assert.strictEqual(assertReportMatchesFolder(out).source.step, 4);
    assert.deepStrictEqual(fs.readdirSync(disk.dir).sort(), ['filler.bin', 'merged'], 'no staging folder or lock is left');
  });
});
