import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { listRuns } from '../../../src/core/run-folder';
import { readExperimentFields } from '../../../src/training/experiment-file-fields';
import { writeSyntheticRun } from '../../support/synthetic-run';

describe('readExperimentFields', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'thanora-fields-'));
    file = path.join(dir, 'thanora.json');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('reads output (relative to the file, the schema default when absent) and device', () => {
    fs.writeFileSync(file, JSON.stringify({ output: 'runs/demo', device: 'cpu' }));
    assert.deepStrictEqual(readExperimentFields(file), { runsRoots: [path.join(dir, 'runs', 'demo')], device: 'cpu' });
    fs.writeFileSync(file, '{}');
    assert.deepStrictEqual(readExperimentFields(file), { runsRoots: [path.join(dir, 'runs', 'experiment')], device: undefined });
  });

  it('keeps the runs of a file that stops parsing listed, and finds them again once it is fixed', () => {
    const valid = JSON.stringify({ output: 'elsewhere/runs' });
    fs.writeFileSync(file, valid);
    writeSyntheticRun(path.join(dir, 'elsewhere', 'runs'), { runId: 'a', steps: 5 });
    assert.strictEqual(listRuns(readExperimentFields(file).runsRoots).length, 1);
    fs.writeFileSync(file, valid.slice(0, -3));
    const broken = readExperimentFields(file);
    assert.match(broken.problem ?? '', /JSON/);
    assert.deepStrictEqual(listRuns(broken.runsRoots).map((r) => r.runId), ['a'], 'the remembered output folder is still scanned');
    fs.writeFileSync(file, valid);
    assert.deepStrictEqual(listRuns(readExperimentFields(file).runsRoots).map((r) => r.runId), ['a']);
  });

  it('searches an invalid file it never read from its own folder (where relative outputs point)', () => {
    writeSyntheticRun(path.join(dir, 'runs', 'demo'), { runId: 'b', steps: 5 });
    fs.writeFileSync(file, '{ "output": "runs/demo", ');
    assert.deepStrictEqual(listRuns(readExperimentFields(file).runsRoots).map((r) => r.runId), ['b']);
  });
});
