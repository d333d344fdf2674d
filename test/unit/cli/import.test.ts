// `thanora import` as a user runs it: a real child process on a Hugging Face folder; exit codes and messages.
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const root = path.resolve(__dirname, '../../../..');
const fixtures = path.join(root, 'test/fixtures');
const bin = path.join(root, 'bin/thanora.js');

function thanora(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('thanora import', function () {
  this.timeout(60000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'thanora-import-cli-'));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('writes model.onnx into the folder by default, weights in place, and lists the PEFT targets', () => {
    const hf = path.join(dir, 'phi3');
    fs.cpSync(path.join(fixtures, 'hf/hf-phi3-ts/hf_base'), hf, { recursive: true });
    const r = thanora('import', hf);
    assert.strictEqual(r.code, 0, r.stderr);
    assert.ok(fs.existsSync(path.join(hf, 'model.onnx')));
    assert.match(r.stdout, /imported Phi3ForCausalLM → .*model\.onnx/);
    assert.match(r.stdout, /weights: model\.safetensors \(in place, /);
    assert.match(r.stdout, /8 modules: model\.layers\.N\.self_attn\.qkv_proj, model\.layers\.N\.self_attn\.o_proj, model\.layers\.N\.mlp\.gate_up_proj, model\.layers\.N\.mlp\.down_proj/);
  });

  it('--out elsewhere and --dtype float16: converted once, config copied', () => {
    const out = path.join(dir, 'out', 'gpt2.onnx');
    const r = thanora('import', path.join(fixtures, 'hf/hf-gpt2-ts/hf_base'), '--out', out, '--dtype', 'float16');
    assert.strictEqual(r.code, 0, r.stderr);
    assert.match(r.stdout, /weights: gpt2\.onnx\.data \(converted, /);
    assert.match(r.stdout, /copied beside it: config\.json, generation_config\.json/);
    assert.match(r.stderr, /converting weights to float16: 100%/);
  });

  it('bad input: a clear message and exit 1; bad options: usage and exit 2', () => {
    const missing = thanora('import', path.join(dir, 'nowhere'));
    assert.strictEqual(missing.code, 1);
    assert.match(missing.stderr, /thanora import: .*nowhere is not a folder/);
    const dtype = thanora('import', path.join(fixtures, 'hf/hf-gpt2-ts/hf_base'), '--dtype', 'int8');
    assert.strictEqual(dtype.code, 2);
    assert.match(dtype.stderr, /--dtype must be float32 or float16, got 'int8'/);
    assert.match(dtype.stderr, /usage: thanora import <hf-folder>/);
  });
});
