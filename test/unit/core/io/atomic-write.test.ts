// Whole-or-absent writes on a real file system: complete files under the final name, a full disk named as such
// with the bytes needed (a real tmpfs filled up: the kernel writes part of the data, then refuses), appends
// that never leave half a line, and folder commits that keep one complete version.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { appendWhole, writeFileAtomic } from '../../../../src/core/io/atomic-write';
import { DiskFullError, ensureFolder } from '../../../../src/core/io/file-errors';
import { commitFolder, stageFolder } from '../../../../src/core/io/folder-commit';
import { cleanDeadTemps, tempName } from '../../../../src/core/io/temp-names';
import { deadPid, fillDisk, mountTmpfs, Tmpfs, skipWithoutTmpfs } from '../../../support/tmpfs';

describe('atomic writes', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'thanora-write-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('writes every chunk under the final name and leaves no temp', () => {
    const file = path.join(dir, 'sub/a.bin');
    writeFileAtomic(file, [Buffer.from('abc'), new Uint8Array(100_000).fill(9), Buffer.from('z')]);
    const bytes = fs.readFileSync(file);
    assert.strictEqual(bytes.length, 100_004);
    assert.strictEqual(bytes.subarray(0, 3).toString(), 'abc');
    assert.strictEqual(bytes[bytes.length - 1], 'z'.charCodeAt(0));
    assert.deepStrictEqual(fs.readdirSync(path.dirname(file)), ['a.bin']);
  });

  it('names a file in the way of a folder, instead of EEXIST or ENOTDIR', () => {
    fs.writeFileSync(path.join(dir, 'plain'), 'x');
    assert.throws(() => ensureFolder(path.join(dir, 'plain/runs')), new RegExp(`cannot create the folder .*plain/runs: .*plain is a file, not a folder`));
    assert.throws(() => writeFileAtomic(path.join(dir, 'plain/runs/a.json'), '{}'), /plain is a file, not a folder/);
  });

  it('a folder commit replaces the previous version whole', () => {
    const final = path.join(dir, 'out');
    fs.mkdirSync(final);
    fs.writeFileSync(path.join(final, 'old.txt'), 'old');
    const staged = stageFolder(final);
    fs.writeFileSync(path.join(staged, 'new.txt'), 'new');
    commitFolder(staged, final);
    assert.deepStrictEqual(fs.readdirSync(final), ['new.txt']);
    assert.deepStrictEqual(fs.readdirSync(dir), ['out']);
  });

  it('puts back the version a killed commit had moved aside, and removes dead temps', () => {
    const final = path.join(dir, 'step-00000004');
    const pid = deadPid();
    // Killed between the two renames: the old version aside, the new one still staged.
    const aside = `${final}.old-${pid}-x1`;
    const staged = `${final}.tmp-${pid}-x2`;
    fs.mkdirSync(aside);
    fs.writeFileSync(path.join(aside, 'adapter_config.json'), '{"v": 1}');
    fs.mkdirSync(staged);
    const alive = tempName(final);
    fs.mkdirSync(alive);
    cleanDeadTemps(dir);
    assert.strictEqual(fs.readFileSync(path.join(final, 'adapter_config.json'), 'utf8'), '{"v": 1}');
    assert.deepStrictEqual(fs.readdirSync(dir).sort(), [path.basename(final), path.basename(alive)].sort(), "this process's own temp is work in progress");
  });

  it('a version moved aside is dropped when its replacement did arrive', () => {
    const final = path.join(dir, 'merged');
    fs.mkdirSync(final);
    fs.writeFileSync(path.join(final, 'merge-report.json'), '{"new": true}');
    fs.mkdirSync(`${final}.old-${deadPid()}-y`);
    cleanDeadTemps(dir);
    assert.deepStrictEqual(fs.readdirSync(dir), ['merged']);
    assert.strictEqual(fs.readFileSync(path.join(final, 'merge-report.json'), 'utf8'), '{"new": true}');
  });
});

describe('atomic writes on a full disk (tmpfs)', function () {
  let fsys: Tmpfs | undefined;
  before(function () {
    skipWithoutTmpfs(this);
  });
  beforeEach(() => (fsys = mountTmpfs(1 << 20)));
  afterEach(() => fsys?.unmount());

  it('a write larger than the free space is "disk full" with the bytes needed; the old file stays whole', () => {
    const file = path.join(fsys!.dir, 'model.onnx');
    writeFileAtomic(file, Buffer.alloc(1000, 1));
    fillDisk(fsys!.dir, 64 * 1024);
    // 256 KiB: the kernel accepts the first ~64 KiB (a short write), then says ENOSPC.
    assert.throws(
      () => writeFileAtomic(file, Buffer.alloc(256 * 1024, 2)),
      (e: Error) => e instanceof DiskFullError && e.message.startsWith(`disk full: writing ${file} needs 262144 bytes (256.0 KiB), `) && /free on that disk; free up space/.test(e.message),
    );
    assert.deepStrictEqual(fs.readFileSync(file), Buffer.alloc(1000, 1), 'the previous version is untouched');
    assert.deepStrictEqual(fs.readdirSync(fsys!.dir).sort(), ['filler.bin', 'model.onnx'], 'no temp file is left');
  });

  it('an append that does not fit leaves the file as it was, without half a line', () => {
    const file = path.join(fsys!.dir, 'metrics.jsonl');
    appendWhole(file, '{"type":"start"}\n');
    fillDisk(fsys!.dir, 0);
    // Pages already allocated to the file may take a few bytes more; a long line cannot fit.
    assert.throws(() => appendWhole(file, JSON.stringify({ type: 'step', pad: 'x'.repeat(200_000) }) + '\n'), (e: Error) => e instanceof DiskFullError && /disk full: writing .*metrics\.jsonl needs 200/.test(e.message));
    assert.strictEqual(fs.readFileSync(file, 'utf8'), '{"type":"start"}\n');
  });

  it('a read-only disk is named, not ENOENT', () => {
    const ro = mountTmpfs(64 * 1024, { readOnly: true })!;
    try {
      assert.throws(() => ensureFolder(path.join(ro.dir, 'runs/exp')), new RegExp(`cannot create the folder ${ro.dir}/runs/exp: the disk is read-only`));
    } finally {
      ro.unmount();
    }
  });
});
