// train → merge on real transformers exports by torch 2.13's dynamo exporter (anonymous node names, folded
// `val_N` weights, weights in model.onnx.data): a short ThanoRA run on each trains, checkpoints, and merges
// into a model whose verification against the run's adapters passes (the report's own tolerance, 1e-4).
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { writeTinyExperiment } from '../../support/tiny-experiment';

const root = path.resolve(__dirname, '../../../..');
const bin = path.join(root, 'bin/thanora.js');

function thanora(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('train → merge on dynamo exports of transformers models', function () {
  this.timeout(300000);
  let tmp: string;
  beforeEach(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'thanora-hf-train-'))));
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  for (const name of ['hf-llama-dynamo', 'hf-phi3-dynamo', 'hf-gpt2-dynamo']) {
    it(`${name}: a ThanoRA run on all-linear trains, and its merge passes verification`, () => {
      const experiment = writeTinyExperiment(tmp, {
        baseModel: path.join(root, 'test/fixtures/hf', name, 'model.onnx'),
        lora: { targets: 'all-linear', r: 4, alpha: 8 },
        training: { steps: 4, checkpointEvery: 4 },
      });
      const train = thanora('train', experiment);
      assert.strictEqual(train.code, 0, train.stderr);
      const runs = path.join(tmp, 'runs');
      const [run] = fs.readdirSync(runs).filter((d) => fs.statSync(path.join(runs, d)).isDirectory());
      const losses = fs
        .readFileSync(path.join(runs, run, 'metrics.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l))
        .filter((e) => e.type === 'step')
        .map((e) => e.loss);
      assert.strictEqual(losses.length, 4);
      assert.ok(losses.every(Number.isFinite), losses.join(', '));
      const merge = thanora('merge', path.join(runs, run));
      assert.strictEqual(merge.code, 0, merge.stderr);
      const report = JSON.parse(fs.readFileSync(path.join(runs, run, 'merged', 'merge-report.json'), 'utf8'));
      assert.strictEqual(report.pass, true);
    });
  }
});
