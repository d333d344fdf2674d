import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { markRunFailed, readRunEvents, readRunStatus } from '../../../../src/core/run-folder';
import { writeSyntheticRun } from '../../../support/synthetic-run';

describe('markRunFailed', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'thanora-fail-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('ends a running run as failed, cutting a half-written line and keeping the checkpoint', () => {
    const runDir = writeSyntheticRun(dir, { runId: 'r', steps: 40, upToStep: 12 });
    const status = readRunStatus(runDir)!;
    fs.writeFileSync(path.join(runDir, 'status.json'), JSON.stringify({ ...status, lastCheckpoint: 'checkpoints/step-00000010' }));
    fs.mkdirSync(path.join(runDir, 'checkpoints/step-00000010'), { recursive: true });
    fs.writeFileSync(path.join(runDir, 'checkpoints/step-00000010/adapter_config.json'), '{}');
    fs.appendFileSync(path.join(runDir, 'metrics.jsonl'), '{"type":"step","st');
    assert.strictEqual(markRunFailed(runDir, 'worker was killed (SIGKILL)'), true);
    const after = readRunStatus(runDir)!;
    assert.deepStrictEqual([after.state, after.step, after.error, after.lastCheckpoint], ['failed', 12, 'worker was killed (SIGKILL)', 'checkpoints/step-00000010']);
    const events = readRunEvents(runDir);
    assert.deepStrictEqual(events[events.length - 1], { type: 'end', step: 12, time: after.updated, state: 'failed', error: 'worker was killed (SIGKILL)' });
  });

  it('leaves a run the trainer already ended alone', () => {
    const runDir = writeSyntheticRun(dir, { runId: 'r', steps: 10 });
    const before = fs.readFileSync(path.join(runDir, 'metrics.jsonl'), 'utf8');
    assert.strictEqual(markRunFailed(runDir, 'late'), false);
    assert.strictEqual(readRunStatus(runDir)?.state, 'finished');
    assert.strictEqual(fs.readFileSync(path.join(runDir, 'metrics.jsonl'), 'utf8'), before);
  });
});
