// The real worker entry (tsc output of src/worker/training-worker.ts) on the demo experiment, shortened:
// trains through the core, streams the events the run folder holds, then merges the run in a worker and prompts
// it in the playground's worker job: the merged model and the checkpoint answer alike.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { TrainingWorkerClient, type TrainingOutcome } from '../../../src/training/training-worker-client';
import { generateInWorker, mergeInWorker } from '../../../src/training/worker-jobs';
import { readRunEvents, readRunStatus } from '../../../src/core/run-folder';
import type { RunEvent } from '../../../src/protocol/run-events';

const repo = path.resolve(__dirname, '..', '..', '..', '..');
const workerPath = path.join(repo, 'out', 'src', 'worker', 'training-worker.js');

describe('training worker entry on the demo experiment', function () {
  this.timeout(120000);
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'thanora-real-worker-'));
    const demo = path.join(repo, 'examples', 'minimal');
    const config = JSON.parse(fs.readFileSync(path.join(demo, 'thanora.json'), 'utf8'));
    config.baseModel = path.resolve(demo, config.baseModel);
    for (const task of config.tasks) {
      task.train = path.resolve(demo, task.train);
      task.eval = path.resolve(demo, task.eval);
    }
    config.training = { ...config.training, steps: 4, evalEvery: 4 };
    config.output = path.join(dir, 'runs');
    delete config.$schema;
    fs.writeFileSync(path.join(dir, 'thanora.json'), JSON.stringify(config));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('streams the run folder\'s events and finishes; the merge verifies', async () => {
    const events: RunEvent[] = [];
    const outcome = await new Promise<TrainingOutcome>((resolve) => {
      new TrainingWorkerClient(workerPath, { type: 'start', experimentFile: path.join(dir, 'thanora.json'), device: 'cpu', threads: 1 }, { onEvent: (e) => events.push(e), onLog: () => undefined, onExit: resolve });
    });
    assert.strictEqual(outcome.state, 'finished', outcome.error);
    assert.deepStrictEqual(events, readRunEvents(outcome.runDir!));
    assert.deepStrictEqual(events.filter((e) => e.type === 'step').map((e) => e.step), [1, 2, 3, 4]);
    assert.strictEqual(readRunStatus(outcome.runDir!)?.state, 'finished');

    const merged = await mergeInWorker(workerPath, { type: 'merge', input: outcome.runDir! }, () => undefined);
    assert.ok(fs.existsSync(merged.modelFile), merged.modelFile);
    assert.strictEqual(merged.pass, true, `max relative diff ${merged.maxRelativeDiff} vs tolerance ${merged.tolerance}`);

    const ask = (tuned: string) => generateInWorker(workerPath, { type: 'generate', runDir: outcome.runDir!, tuned, prompt: 'reverse: stone\n', decoding: { kind: 'sample', temperature: 0.8, topP: 0.9, seed: 3 }, maxNewTokens: 8, threads: 1 }, () => undefined);
    const fromMerged = await ask('merged');
    const fromCheckpoint = await ask('last');
    assert.deepStrictEqual(fromCheckpoint.tuned.ids, fromMerged.tuned.ids);
    assert.deepStrictEqual(fromCheckpoint.base, { ...fromMerged.base, ms: fromCheckpoint.base.ms });
    assert.strictEqual(fromMerged.promptText, 'reverse: stone\n');
    assert.strictEqual(fromMerged.chatTemplate, false);
    assert.match(fromMerged.tuned.label, /^merged model/);
    assert.match(fromCheckpoint.tuned.label, /^checkpoint last/);
  });

  it('a playground request the core refuses arrives as its message, and the host stays up', async () => {
    await assert.rejects(
      generateInWorker(workerPath, { type: 'generate', runDir: dir, prompt: 'x', decoding: { kind: 'greedy' }, maxNewTokens: 4 }, () => undefined),
      /has no config\.json, so its tokenizer is unknown/,
    );
  });
});
