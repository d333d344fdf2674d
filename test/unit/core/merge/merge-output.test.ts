// The merge output folder as a unit: the report lists every file beside it with the hash of what is on disk; a
// re-merge replaces the whole set; a merge that fails leaves the previous set and its report as they were; a
// folder holding other files, or the merge's own inputs, is refused; two merges into one folder do not mix.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { acquireLock, LockedError } from '../../../../src/core/io/file-lock';
import { mergeCheckpoint, MergeInputError, MergeOutputError } from '../../../../src/core/merge';
import { writeMergeOutput } from '../../../../src/core/merge/merge-output';
import { assertReportMatchesFolder, makeTempDir, sha256 } from './merge-test-helpers';
import { buildSyntheticRun } from './synthetic-run';

const noVerify = { verify: false };

describe('merge output folder', function () {
  this.timeout(60000);
  let tmp: string;
  beforeEach(() => (tmp = makeTempDir()));
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('lists every output with its size and SHA-256; a re-merge replaces the whole set', async () => {
    const run = buildSyntheticRun(path.join(tmp, 'run'), { residual: true });
    const first = await mergeCheckpoint(run.runDir, noVerify);
    assert.deepStrictEqual(first.report.outputs.files.map((f) => f.name).sort(), ['adapter_config.json', 'adapter_model.safetensors', 'model.onnx', 'thanora_adapter.json']);
    assertReportMatchesFolder(first.outDir);
    const before = sha256(path.join(first.outDir, 'model.onnx'));
    buildSyntheticRun(run.runDir, { residual: true, seed: 99 });
    const second = await mergeCheckpoint(run.runDir, noVerify);
    assertReportMatchesFolder(second.outDir);
    assert.notStrictEqual(sha256(path.join(second.outDir, 'model.onnx')), before);
    assert.deepStrictEqual(fs.readdirSync(run.runDir).filter((n) => n.startsWith('merged')), ['merged'], 'no staging, aside copy or lock is left');
  });

  it('a merge that fails before committing leaves the previous merge and its report untouched', async () => {
    const run = buildSyntheticRun(path.join(tmp, 'run'), { residual: false });
    const first = await mergeCheckpoint(run.runDir, noVerify);
    const report = fs.readFileSync(path.join(first.outDir, 'merge-report.json'), 'utf8');
    // A failure after new outputs were written (verification, a full disk): they never reach the folder.
    await assert.rejects(
      writeMergeOutput(first.outDir, {}, async (out) => {
        fs.writeFileSync(path.join(out.staging, 'model.onnx'), 'new and unverified');
        throw new Error('verification failed to run');
      }),
      /verification failed to run/,
    );
    assert.strictEqual(fs.readFileSync(path.join(first.outDir, 'merge-report.json'), 'utf8'), report);
    assertReportMatchesFolder(first.outDir);
    assert.deepStrictEqual(fs.readdirSync(run.runDir).filter((n) => n.startsWith('merged')), ['merged']);
  });

  it('a batch file with ids outside the vocabulary is refused before anything is written', async () => {
    const run = buildSyntheticRun(path.join(tmp, 'run'), { residual: false });
    const batch = path.join(tmp, 'batch.json');
    fs.writeFileSync(batch, JSON.stringify({ input_ids: [[1, 2, 500]], labels: [[1, 2, 3]] }));
    await assert.rejects(
      mergeCheckpoint(run.runDir, { batchFile: batch }),
      (e: Error) => e instanceof MergeInputError && e.message === `${batch}: input_ids[0][2] = 500 is not a token id in [0, 96) (the model's embedding table has 96 rows); check that the tokenizer matches the model`,
    );
    assert.ok(!fs.existsSync(path.join(run.runDir, 'merged')));
  });

  it('refuses a folder holding other files, and one holding its own inputs', async () => {
    const run = buildSyntheticRun(path.join(tmp, 'run'), { residual: false });
    const out = path.join(tmp, 'out');
    fs.mkdirSync(out);
    fs.writeFileSync(path.join(out, 'notes.txt'), 'mine');
    await assert.rejects(
      mergeCheckpoint(run.runDir, { ...noVerify, outDir: out }),
      (e: Error) => e instanceof MergeOutputError && e.message === `the output folder ${out} holds files a merge did not write (notes.txt); a merge replaces its whole output folder, so choose an empty or new folder`,
    );
    assert.deepStrictEqual(fs.readdirSync(out), ['notes.txt']);
    await assert.rejects(
      mergeCheckpoint(run.runDir, { ...noVerify, outDir: path.join(run.runDir, 'checkpoints') }),
      (e: Error) => e instanceof MergeOutputError && /would overwrite the checkpoint's files \(.*step-00000010\): it replaces its whole output folder/.test(e.message),
    );
  });

  it('a second merge into a folder being written is refused with the holder named', async () => {
    const run = buildSyntheticRun(path.join(tmp, 'run'), { residual: false });
    const out = path.join(run.runDir, 'merged');
    const held = acquireLock(`${out}.lock`, 'merging', () => '');
    try {
      await assert.rejects(
        mergeCheckpoint(run.runDir, noVerify),
        (e: Error) => e instanceof LockedError && new RegExp(`^the merge output ${out} is being written by process ${process.pid} on .+; wait for that merge to finish`).test(e.message),
      );
    } finally {
      held.release();
    }
    assert.ok(!fs.existsSync(out));
  });
});
