import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { MetricsTail, readRunEvents, readRunStatus, RunFolderError } from '../../../../src/core/run-folder';
import { writeSyntheticRun, syntheticRunEvents } from '../../../support/synthetic-run';

describe('run folder: metrics.jsonl and status.json', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'thanora-runs-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('reads every event and the status of a finished run', () => {
    const runDir = writeSyntheticRun(dir, { runId: 'r1', steps: 30 });
    const events = readRunEvents(runDir);
    assert.deepStrictEqual(events, syntheticRunEvents({ runId: 'r1', steps: 30 }));
    assert.strictEqual(events.filter((e) => e.type === 'step').length, 30);
    assert.strictEqual(readRunStatus(runDir)?.state, 'finished');
  });

  it('follows appends and leaves a half-written last line for the next read', () => {
    const file = path.join(dir, 'metrics.jsonl');
    const [start, alloc, step1] = syntheticRunEvents({ runId: 'r', steps: 5 });
    fs.writeFileSync(file, JSON.stringify(start) + '\n' + JSON.stringify(alloc).slice(0, 20));
    const tail = new MetricsTail(dir);
    assert.deepStrictEqual(tail.readNew(), [start]);
    assert.deepStrictEqual(tail.readNew(), []);
    fs.writeFileSync(file, JSON.stringify(start) + '\n' + JSON.stringify(alloc) + '\n' + JSON.stringify(step1) + '\n');
    assert.deepStrictEqual(tail.readNew(), [alloc, step1]);
  });

  it('names the file and line of a damaged record', () => {
    fs.writeFileSync(path.join(dir, 'metrics.jsonl'), '{"type":"start"}\n{"type":"bogus"}\n');
    assert.throws(() => readRunEvents(dir), (e: Error) => e instanceof RunFolderError && /metrics\.jsonl:2: unknown event type "bogus"/.test(e.message));
  });

  it('has no status for a folder without status.json', () => {
    assert.strictEqual(readRunStatus(dir), null);
  });
});
