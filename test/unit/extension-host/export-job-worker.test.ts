// "ThanoRA: Export Training Job…" runs core export-job in the real worker entry (tsc output of
// src/worker/training-worker.ts): the job folder is written and summarized; a failure arrives as the core's
// message (here: the model is not from Hugging Face and no folder was named).
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { exportJobInWorker } from '../../../src/training/worker-jobs';
import { HF_BASE, HF_FIXTURE, writeHfJobExperiment } from '../../support/hf-job-experiment';

const repo = path.resolve(__dirname, '..', '..', '..', '..');
const workerPath = path.join(repo, 'out', 'src', 'worker', 'training-worker.js');

describe('export-job in the training worker', function () {
  this.timeout(120000);
  let dir: string;
  let experimentFile: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'thanora-export-worker-'));
    experimentFile = writeHfJobExperiment(path.join(dir, 'exp'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('writes the job folder and reports it', async () => {
    const outDir = path.join(dir, 'job');
    const lines: string[] = [];
    const job = await exportJobInWorker(workerPath, { type: 'exportJob', experimentFile, outDir, hfModel: HF_BASE }, (l) => lines.push(l));
    assert.deepStrictEqual(job, { dir: outDir, readmeFile: path.join(outDir, 'README.md'), files: 18, totalSteps: 3 });
    assert.ok(fs.existsSync(path.join(outDir, 'job.json')));
    assert.ok(lines.some((l) => l.startsWith('initializing thanora on 6 modules')), lines.join(''));
  });

  it('a model not from Hugging Face without a folder: the core message, nothing written', async () => {
    const outDir = path.join(dir, 'no-hf');
    await assert.rejects(exportJobInWorker(workerPath, { type: 'exportJob', experimentFile, outDir }, () => undefined), (e: Error) => {
      assert.ok(e.message.startsWith(`${path.join(HF_FIXTURE, 'model.onnx')} was not made by \`thanora import\``), e.message);
      assert.ok(e.message.endsWith('or name the folder with --hf-model'), e.message);
      return true;
    });
    assert.ok(!fs.existsSync(outDir));
  });
});
