import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { readRunNotes, summarizeRun, writeRunNotes } from '../../../../src/core/run-folder';
import { runNotesLimits } from '../../../../src/protocol/run-events';
import { writeSyntheticRun } from '../../../support/synthetic-run';

describe('run notes (notes.json: the runs table\'s name and notes)', () => {
  let root: string;
  let runDir: string;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'thanora-notes-'));
    runDir = writeSyntheticRun(root, { runId: 'thanora-20261203-080958', steps: 4 });
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('a run without notes has none; written, they come back in the run list', () => {
    assert.deepStrictEqual(readRunNotes(runDir), {});
    assert.strictEqual(summarizeRun(runDir).name, undefined);
    writeRunNotes(runDir, { name: '  r=16, λ=1e-3 ', notes: 'baseline for the sweep\nsecond line' });
    assert.deepStrictEqual(readRunNotes(runDir), { name: 'r=16, λ=1e-3', notes: 'baseline for the sweep\nsecond line' });
    const summary = summarizeRun(runDir);
    assert.strictEqual(summary.name, 'r=16, λ=1e-3');
    assert.strictEqual(summary.runId, 'thanora-20261203-080958', 'the id stays the folder\'s');
  });

  it('blank text clears a field', () => {
    writeRunNotes(runDir, { name: 'first', notes: 'n' });
    writeRunNotes(runDir, { name: '   ', notes: 'n' });
    assert.deepStrictEqual(readRunNotes(runDir), { notes: 'n' });
    writeRunNotes(runDir, { name: '', notes: '' });
    assert.deepStrictEqual(readRunNotes(runDir), {});
  });

  it('refuses a name on two lines and text past the limits, saying which; a damaged file reads as no notes', () => {
    assert.throws(() => writeRunNotes(runDir, { name: 'a\nb' }), /name is one line/);
    assert.throws(() => writeRunNotes(runDir, { notes: 'x'.repeat(runNotesLimits.notes + 1) }), /notes has 10001 characters; at most 10000/);
    fs.writeFileSync(path.join(runDir, 'notes.json'), '{"name": ');
    assert.deepStrictEqual(readRunNotes(runDir), {});
    fs.writeFileSync(path.join(runDir, 'notes.json'), '{"name": 42, "notes": "kept"}');
    assert.deepStrictEqual(readRunNotes(runDir), { notes: 'kept' });
  });
});
