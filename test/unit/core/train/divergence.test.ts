// Divergence on the real demo model (byte vocabulary, pretrained: loss 0.79 on copy) at lr 1e3: with
// onDivergence "warn" the run goes on and records the warning; with "stop" it ends as 'diverged' at the
// warning, writes no checkpoint of the diverged weights, keeps the earlier ones, and says so in status.json.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { listCheckpoints, readRunEvents, readRunStatus } from '../../../../src/core/run-folder';
import { runTraining } from '../../../../src/core/train/run-training';
import { RunWarningEvent } from '../../../../src/protocol/run-events';

const demo = path.resolve(__dirname, '../../../../../examples/demo');

function experiment(dir: string, onDivergence: 'warn' | 'stop'): string {
  const lines = fs.readFileSync(path.join(demo, 'data/copy.train.jsonl'), 'utf8').split('\n').slice(0, 16);
  fs.writeFileSync(path.join(dir, 'copy.jsonl'), lines.join('\n') + '\n');
  const file = path.join(dir, 'thanora.json');
  fs.writeFileSync(
    file,
    JSON.stringify({
      baseModel: path.join(demo, 'model.onnx'),
      tokenizer: 'bytes',
      tasks: [{ name: 'copy', train: 'copy.jsonl', eval: 'copy.jsonl' }],
      lora: { targets: ['q_proj', 'v_proj'], r: 2, alpha: 4 },
      method: { name: 'lora' },
      training: { steps: 16, batchSize: 4, seqLength: 32, lr: 1000, warmupSteps: 0, evalEvery: 0, checkpointEvery: 5, seed: 1, onDivergence },
      device: 'cpu',
      threads: 1,
      output: 'runs',
    }),
  );
  return file;
}

describe('divergence on the demo model at lr 1e3', function () {
  this.timeout(120000);
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'thanora-diverge-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('"warn": the run finishes with the warning in metrics.jsonl', async () => {
    const result = await runTraining(experiment(dir, 'warn'));
    assert.strictEqual(result.state, 'finished', result.error);
    const warnings = readRunEvents(result.runDir).filter((e): e is RunWarningEvent => e.type === 'warning');
    assert.deepStrictEqual(warnings.map((w) => [w.step, w.rule]), [[11, 'uniform']]);
  });

  it('"stop": ends as diverged at the warning, keeps the checkpoints before it and writes none after', async () => {
    const result = await runTraining(experiment(dir, 'stop'));
    assert.strictEqual(result.state, 'diverged');
    assert.match(result.error ?? '', /^training may have diverged at step 11: the mean loss of the last 10 steps is \d\.\d{4}, back at the loss of predicting all 259 classes alike/);
    const status = readRunStatus(result.runDir)!;
    assert.deepStrictEqual([status.state, status.step, status.lastCheckpoint, status.error], ['diverged', 11, path.join('checkpoints', 'step-00000010'), result.error]);
    assert.deepStrictEqual(listCheckpoints(result.runDir).map((d) => path.basename(d)), ['step-00000005', 'step-00000010']);
    const events = readRunEvents(result.runDir);
    assert.deepStrictEqual(events[events.length - 1], { type: 'end', step: 11, time: (events[events.length - 1] as { time: string }).time, state: 'diverged', error: result.error });
  });
});
