import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { TrainingWorkerClient, type TrainingOutcome } from '../../../src/training/training-worker-client';
import { readRunEvents, readRunStatus } from '../../../src/core/run-folder';
import type { RunEvent } from '../../../src/protocol/run-events';

// Compiled next to this file by tsc: out/test/support/fake-training-worker.js.
const fakeWorker = path.join(__dirname, '..', '..', 'support', 'fake-training-worker.js');

interface Recorded {
  outcome: TrainingOutcome;
  events: RunEvent[];
  log: string;
}

function train(dir: string, behaviour: string, stopAfterSteps?: number, stopTimeoutMs = 2000): Promise<Recorded> {
  const experimentFile = path.join(dir, 'thanora.json');
  fs.writeFileSync(experimentFile, JSON.stringify({ behaviour, runsDir: dir }));
  return new Promise((resolve) => {
    const events: RunEvent[] = [];
    let log = '';
    const client: TrainingWorkerClient = new TrainingWorkerClient(
      fakeWorker,
      { type: 'start', experimentFile },
      {
        onEvent: (event) => {
          events.push(event);
          if (event.type === 'step' && event.step === stopAfterSteps) client.stop();
        },
        onLog: (line) => (log += line),
        onExit: (outcome) => resolve({ outcome, events, log }),
      },
      { stopTimeoutMs },
    );
  });
}

describe('TrainingWorkerClient (forked fake trainer)', function () {
  this.timeout(20000);
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'thanora-worker-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('streams every event of a run that finishes', async () => {
    const { outcome, events } = await train(dir, 'finish');
    assert.strictEqual(outcome.state, 'finished');
    assert.strictEqual(events.filter((e) => e.type === 'step').length, 40);
    assert.deepStrictEqual(events, readRunEvents(outcome.runDir!));
  });

  it('stops cooperatively on request', async () => {
    const { outcome } = await train(dir, 'finish', 3);
    assert.strictEqual(outcome.state, 'stopped');
    const status = readRunStatus(outcome.runDir!)!;
    assert.strictEqual(status.state, 'stopped');
    assert.ok(status.step >= 3 && status.step < 40, `stopped at step ${status.step}`);
  });

  it('marks the run failed when the worker crashes', async () => {
    const { outcome } = await train(dir, 'crash');
    assert.strictEqual(outcome.state, 'failed');
    assert.match(outcome.error!, /exited with code 3/);
    const status = readRunStatus(outcome.runDir!)!;
    assert.deepStrictEqual([status.state, status.step], ['failed', 5]);
    const events = readRunEvents(outcome.runDir!);
    assert.strictEqual(events[events.length - 1].type, 'end');
  });

  it('kills a worker that ignores the stop request after the timeout', async () => {
    const started = Date.now();
    const { outcome, log } = await train(dir, 'ignore-stop', 2, 500);
    assert.strictEqual(outcome.state, 'failed');
    assert.match(outcome.error!, /killed \(SIGKILL\)/);
    assert.match(log, /did not stop within 500 ms/);
    assert.ok(Date.now() - started < 10000);
    assert.strictEqual(readRunStatus(outcome.runDir!)?.state, 'failed');
  });

  it('reports a trainer error with its message', async () => {
    const { outcome } = await train(dir, 'throw');
    assert.deepStrictEqual([outcome.state, outcome.runDir], ['failed', undefined]);
    assert.match(outcome.error!, /tasks\/0\/train: file not found/);
  });
});
