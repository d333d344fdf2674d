// `thanora merge` as a user runs it: a child process, real folders, exit codes and messages.
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildSyntheticRun } from '../core/merge/synthetic-run';

const root = path.resolve(__dirname, '../../../..');
const fixtures = path.join(root, 'test/fixtures');
const bin = path.join(root, 'bin/thanora.js');

function thanora(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('thanora merge (CLI)', function () {
  this.timeout(60000);
  let tmp: string;
  beforeEach(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'thanora-cli-merge-'))));
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('--model --adapter --out merges a PEFT adapter and reports a pass', () => {
    const dir = path.join(fixtures, 'tiny-gpt2');
    const out = path.join(tmp, 'merged');
    const r = thanora('merge', '--model', path.join(dir, 'model.onnx'), '--adapter', dir, '--out', out, '--batch', path.join(dir, 'batch.json'));
    assert.strictEqual(r.code, 0, r.stderr);
    assert.match(r.stdout, /merged 8 modules into .*model\.onnx/);
    assert.match(r.stdout, /verification \(batch file, tolerance 0\.0001 relative\): pass/);
    assert.strictEqual(JSON.parse(fs.readFileSync(path.join(out, 'merge-report.json'), 'utf8')).pass, true);
  });

  it('<run-dir> merges the last checkpoint into <run>/merged with the PEFT export', () => {
    const run = buildSyntheticRun(path.join(tmp, 'run'), { residual: true });
    const r = thanora('merge', run.runDir);
    assert.strictEqual(r.code, 0, r.stderr);
    assert.match(r.stdout, /PEFT adapter \(against the original base\)/);
    assert.match(r.stdout, /alpha .*ok/);
    for (const f of ['model.onnx', 'adapter_model.safetensors', 'adapter_config.json', 'merge-report.json']) assert.ok(fs.existsSync(path.join(run.runDir, 'merged', f)), f);
  });

  it('--checkpoint chooses among a run\'s checkpoints and the output says which was merged', () => {
    const run = buildSyntheticRun(path.join(tmp, 'run'), { residual: true });
    // A synthetic run records no best checkpoint: the default takes the last one and says why.
    let r = thanora('merge', run.runDir, '--no-verify');
    assert.strictEqual(r.code, 0, r.stderr);
    assert.match(r.stdout, /^checkpoint: .*step-\d{8}, last \(the run records no best checkpoint\)$/m);
    r = thanora('merge', run.runDir, '--checkpoint', 'best');
    assert.strictEqual(r.code, 1);
    assert.match(r.stderr, /has no best checkpoint: status\.json records no best checkpoint .*; choose --checkpoint last or step-N/);
    r = thanora('merge', run.runDir, '--checkpoint', 'first');
    assert.strictEqual(r.code, 2);
    assert.match(r.stderr, /--checkpoint: checkpoint choice 'first' is not last, best or step-N/);
  });

  it('usage errors exit 2; merge errors exit 1 with one line naming the cause', () => {
    let r = thanora('merge');
    assert.strictEqual(r.code, 2);
    assert.match(r.stderr, /give a run or checkpoint folder, or --model and --adapter/);
    r = thanora('merge', tmp, '--adapter', tmp);
    assert.strictEqual(r.code, 2);
    r = thanora('merge', '--adapter', path.join(fixtures, 'tiny-llama'), '--out', tmp);
    assert.strictEqual(r.code, 2);
    assert.match(r.stderr, /--model is required/);
    r = thanora('merge', tmp);
    assert.strictEqual(r.code, 1);
    assert.match(r.stderr, /^thanora merge: run .* has no checkpoint yet/);
    r = thanora('merge', '--model', path.join(fixtures, 'tiny-llama/model.onnx'), '--adapter', path.join(fixtures, 'tiny-gpt2'), '--out', tmp);
    assert.strictEqual(r.code, 1);
    assert.match(r.stderr, /cannot merge .*adapter_config.json: module_map/);
  });
});
