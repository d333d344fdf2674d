// `thanora export-job` and `thanora import-run` through the real CLI: what a user sees on bad input (exit code
// 2 and the usage line for usage mistakes, 1 and the core's message otherwise) and the summary of a good export.
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { HF_BASE, HF_FIXTURE, writeHfJobExperiment } from '../../support/hf-job-experiment';

const root = path.resolve(__dirname, '../../../..');
const bin = path.join(root, 'bin/thanora.js');

function thanora(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr.split('\n').filter((l) => l && !l.startsWith('initializing')).join('\n') };
}

describe('thanora export-job / import-run (CLI)', function () {
  this.timeout(60000);
  let tmp: string;
  let experiment: string;
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'thanora-cli-export-'));
    experiment = writeHfJobExperiment(path.join(tmp, 'exp'));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('usage mistakes: another target, no --out, no experiment', () => {
    const usage = 'usage: thanora export-job <thanora.json> --target accelerate --out DIR [--hf-model HF_FOLDER]';
    assert.deepStrictEqual(thanora('export-job', experiment, '--target', 'ray', '--out', path.join(tmp, 'j')), { code: 2, stdout: '', stderr: `thanora export-job: --target must be one of accelerate, got 'ray'\n${usage}` });
    assert.deepStrictEqual(thanora('export-job', experiment), { code: 2, stdout: '', stderr: `thanora export-job: --out is required\n${usage}` });
    assert.deepStrictEqual(thanora('export-job', '--out', path.join(tmp, 'j')), { code: 2, stdout: '', stderr: `thanora export-job: expected one experiment file (thanora.json), got 0\n${usage}` });
    assert.deepStrictEqual(thanora('import-run'), { code: 2, stdout: '', stderr: 'thanora import-run: expected one job folder, got 0\nusage: thanora import-run <job-folder> [--into RUNS_DIR]' });
  });

  it('a model not from Hugging Face: says to use --hf-model or import; nothing written', () => {
    const out = path.join(tmp, 'no-hf');
    const r = thanora('export-job', experiment, '--out', out);
    assert.strictEqual(r.code, 1);
    assert.strictEqual(
      r.stderr,
      `thanora export-job: ${path.join(HF_FIXTURE, 'model.onnx')} was not made by \`thanora import\` (it has no Hugging Face import record), so there is no Hugging Face model for train.py to load; ` +
        'import the model folder with `thanora import <hf-folder> --experiment DIR`, or name the folder with --hf-model',
    );
    assert.ok(!fs.existsSync(out));
  });

  it('a good export prints the job folder and the launch command; import-run refuses it until train.py ran', () => {
    const out = path.join(tmp, 'job');
    const r = thanora('export-job', experiment, '--out', out, '--hf-model', HF_BASE);
    assert.strictEqual(r.code, 0, r.stderr);
    assert.strictEqual(r.stdout, `training job → ${out} (18 files, 3 steps)\nlaunch it: cd ${out} && accelerate launch --config_file accelerate/ddp.yaml train.py\n`);
    const i = thanora('import-run', out);
    assert.deepStrictEqual([i.code, i.stderr], [1, `thanora import-run: ${path.join(out, 'metrics.jsonl')} has no start event yet; train.py has not run in this folder (launch it, then sync the folder back)`]);
  });
});
