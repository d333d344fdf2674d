import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { findRunFolders, listRuns, siblingRuns } from '../../../../src/core/run-folder';
import { writeSyntheticRun } from '../../../support/synthetic-run';

describe('run folder: listing runs', () => {
  let root: string;
  before(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'thanora-store-'));
    writeSyntheticRun(path.join(root, 'exp-a'), { runId: 'thanora-1', steps: 20 });
    writeSyntheticRun(path.join(root, 'exp-a'), { runId: 'lora-1', method: 'lora', steps: 20, upToStep: 7 });
    writeSyntheticRun(path.join(root, 'exp-b'), { runId: 'pissa-1', method: 'pissa', steps: 20 });
    // A checkpoint folder inside a run is not a run of its own.
    fs.mkdirSync(path.join(root, 'exp-a', 'thanora-1', 'checkpoints', 'step-00000010'), { recursive: true });
    fs.mkdirSync(path.join(root, 'node_modules', 'x'), { recursive: true });
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  it('finds run folders below the roots, not inside runs', () => {
    const found = findRunFolders([root]).map((d) => path.relative(root, d));
    assert.deepStrictEqual(found, [path.join('exp-a', 'lora-1'), path.join('exp-a', 'thanora-1'), path.join('exp-b', 'pissa-1')]);
  });

  it('summarises state, method and progress', () => {
    const lora = listRuns([root]).find((r) => r.runId === 'lora-1');
    assert.deepStrictEqual(
      { method: lora?.method, state: lora?.state, step: lora?.step, total: lora?.totalSteps, exp: lora && path.basename(lora.experimentDir) },
      { method: 'lora', state: 'running', step: 7, total: 20, exp: 'exp-a' },
    );
  });

  it('takes a live run\'s step from its metrics: status.json is only rewritten at checkpoints', () => {
    const runDir = writeSyntheticRun(path.join(root, 'exp-c'), { runId: 'live', steps: 40, upToStep: 25 });
    const status = JSON.parse(fs.readFileSync(path.join(runDir, 'status.json'), 'utf8'));
    fs.writeFileSync(path.join(runDir, 'status.json'), JSON.stringify({ ...status, step: 0 }));
    assert.strictEqual(listRuns([path.join(root, 'exp-c')])[0].step, 25);
  });

  it('overlays only runs of the same experiment', () => {
    const runs = listRuns([root]);
    const thanora = runs.find((r) => r.runId === 'thanora-1');
    assert.deepStrictEqual(siblingRuns(runs, thanora!.runDir).map((r) => r.runId), ['lora-1']);
  });
});
