// The CLI as a user runs it: a real child process, real files, exit codes and messages.
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { readSafetensors } from '../../../src/core/io/safetensors';

const root = path.resolve(__dirname, '../../../..');
const fixtures = path.join(root, 'test/fixtures');
const bin = path.join(root, 'bin/thanora.js');

function thanora(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'thanora-cli-'));
}

/** A copy of a fixture's adapter folder, so tests can break it. */
function adapterCopy(name: string): string {
  const dir = tempDir();
  for (const f of ['adapter.safetensors', 'adapter_config.json', 'batch.json']) fs.copyFileSync(path.join(fixtures, name, f), path.join(dir, f));
  return dir;
}

describe('thanora CLI', function () {
  this.timeout(60000);

  it('grad prints the loss and writes gradients under the adapter keys (tiny-gpt2, loss within 1e-5 relative)', () => {
    const out = path.join(tempDir(), 'grads.safetensors');
    const dir = path.join(fixtures, 'tiny-gpt2');
    const r = thanora('grad', '--model', path.join(dir, 'model.onnx'), '--adapter', dir, '--batch', path.join(dir, 'batch.json'), '--out', out, '--device', 'cpu');
    assert.strictEqual(r.code, 0, r.stderr);
    const { loss } = JSON.parse(r.stdout);
    const expected = JSON.parse(fs.readFileSync(path.join(dir, 'expected.json'), 'utf8')).loss;
    assert.ok(Math.abs(loss - expected) / expected < 1e-5, `loss ${loss} vs ${expected}`);
    const written = [...readSafetensors(out).tensors.keys()].sort();
    const reference = [...readSafetensors(path.join(dir, 'expected_grads.safetensors')).tensors.keys()].sort();
    assert.deepStrictEqual(written, reference);
  });

  it('doctor lists the resolved targets and the ops on the gradient path', () => {
    const r = thanora('doctor', path.join(fixtures, 'tiny-llama/model.onnx'), '--targets', 'q_proj,v_proj');
    assert.strictEqual(r.code, 0, r.stderr);
    assert.match(r.stdout, /model\.layers\.0\.self_attn\.q_proj/);
    assert.match(r.stdout, /Softmax/);
  });

  it('doctor without --targets checks the default targets (all-linear); with --batch/--seq it predicts the step', () => {
    const r = thanora('doctor', path.join(fixtures, 'hf/hf-llama-dynamo/model.onnx'), '--batch', '2', '--seq', '8', '--threads', '1', '--device', 'cpu');
    assert.strictEqual(r.code, 0, r.stderr);
    assert.match(r.stdout, /Targets not given: checking the default, all-linear/);
    assert.match(r.stdout, /Targets: 14 modules/);
    assert.match(r.stdout, /All ops on the gradient path have a rule/);
    assert.match(r.stdout, /Training step 2×8: about \d+ ms, peak [\d.]+ MiB/);
  });

  it('doctor states what a float16/bfloat16 export holds in memory on the CPU (widened to float32)', () => {
    const r = thanora('doctor', path.join(fixtures, 'half/llama-bfloat16-dynamo/model.onnx'));
    assert.strictEqual(r.code, 0, r.stderr);
    const [, stored, held] = /Weights: ([\d.]+) MiB in the file, ([\d.]+) MiB as an ONNX Runtime session holds them \(float16\/bfloat16 weights are computed in float32/.exec(r.stdout) ?? [];
    assert.ok(stored && Math.abs(Number(held) / Number(stored) - 2) < 0.1, r.stdout);
  });

  it('a truncated ONNX file is a clear error naming the file', () => {
    const file = path.join(tempDir(), 'broken.onnx');
    fs.writeFileSync(file, fs.readFileSync(path.join(fixtures, 'tiny-llama/model.onnx')).subarray(0, 5000));
    const r = thanora('doctor', file);
    assert.strictEqual(r.code, 1);
    assert.match(r.stderr, /broken\.onnx/);
    assert.match(r.stderr, /truncated or corrupt|not an ONNX model/);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  });

  it('targets that match nothing are a clear error listing candidates', () => {
    const r = thanora('doctor', path.join(fixtures, 'tiny-llama/model.onnx'), '--targets', 'query_key_value');
    assert.strictEqual(r.code, 1);
    assert.match(r.stderr, /query_key_value/);
    assert.match(r.stderr, /q_proj|layers/);
  });

  it('labels out of range name the row, the column and the vocabulary size', () => {
    const dir = adapterCopy('tiny-llama');
    const batch = JSON.parse(fs.readFileSync(path.join(dir, 'batch.json'), 'utf8'));
    batch.labels[1][4] = 5000;
    fs.writeFileSync(path.join(dir, 'batch.json'), JSON.stringify(batch));
    const r = thanora('grad', '--model', path.join(fixtures, 'tiny-llama/model.onnx'), '--adapter', dir, '--batch', path.join(dir, 'batch.json'), '--out', path.join(dir, 'g.safetensors'));
    assert.strictEqual(r.code, 1);
    assert.match(r.stderr, /5000/);
    assert.match(r.stderr, /96/);
    assert.match(r.stderr, /\[1\]|row 1/);
  });

  it('an adapter from another base (shape mismatch) is a clear error', () => {
    const dir = adapterCopy('tiny-llama');
    const r = thanora('grad', '--model', path.join(fixtures, 'bench-llama/model.onnx'), '--adapter', dir, '--batch', path.join(dir, 'batch.json'), '--out', path.join(dir, 'g.safetensors'));
    assert.strictEqual(r.code, 1);
    assert.match(r.stderr, /another (base|export)/);
  });

  it('a NaN loss is reported, not written out', () => {
    const dir = adapterCopy('tiny-llama');
    const file = path.join(dir, 'adapter.safetensors');
    const bytes = fs.readFileSync(file);
    const headerLength = Number(bytes.readBigUInt64LE(0));
    bytes.writeFloatLE(NaN, 8 + headerLength);
    fs.writeFileSync(file, bytes);
    const out = path.join(dir, 'g.safetensors');
    const r = thanora('grad', '--model', path.join(fixtures, 'tiny-llama/model.onnx'), '--adapter', dir, '--batch', path.join(dir, 'batch.json'), '--out', out);
    assert.strictEqual(r.code, 1);
    assert.match(r.stderr, /loss is NaN/);
    assert.ok(!fs.existsSync(out));
  });

  it('an unknown command prints the command list', () => {
    const r = thanora('trian');
    assert.strictEqual(r.code, 2);
    assert.match(r.stderr, /unknown command 'trian'/);
    assert.match(r.stderr, /doctor/);
  });
});
