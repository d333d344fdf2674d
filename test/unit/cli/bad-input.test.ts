// Bad input through the real CLI, each case with the exact message a user sees: checked before ONNX Runtime
// runs (no raw runtime text, no silent wrap-around), naming the file, line, key or tensor and the fix.
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { decodeModel, encodeModel } from '../../../src/core/onnx/model-codec';
import { availableCores } from '../../../src/core/runtime/thread-count';
import { writeTinyExperiment } from '../../support/tiny-experiment';
import { mountTmpfs, skipWithoutTmpfs } from '../../support/tmpfs';

const root = path.resolve(__dirname, '../../../..');
const fixtures = path.join(root, 'test/fixtures');
const bin = path.join(root, 'bin/thanora.js');
const llama = path.join(fixtures, 'tiny-llama/model.onnx');

/** stderr without the progress and device lines a run prints before failing. */
function thanora(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });
  const stderr = r.stderr
    .split('\n')
    .filter((l) => l && !/^(running on CPU|initializing|building the training graph|HASI allocation)/.test(l))
    .join('\n');
  return { code: r.status, stdout: r.stdout, stderr };
}

describe('thanora CLI: bad input, exact messages', function () {
  this.timeout(60000);
  let tmp: string;
  beforeEach(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'thanora-bad-'))));
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  function gradBatch(edit: (batch: { input_ids: number[][]; labels: unknown }) => void): string {
    const batch = JSON.parse(fs.readFileSync(path.join(fixtures, 'tiny-llama/batch.json'), 'utf8'));
    edit(batch);
    const file = path.join(tmp, 'batch.json');
    fs.writeFileSync(file, JSON.stringify(batch));
    return file;
  }
  const grad = (batch: string, model = llama, adapter = path.join(fixtures, 'tiny-llama')) =>
    thanora('grad', '--model', model, '--adapter', adapter, '--batch', batch, '--out', path.join(tmp, 'g.safetensors'));

  it('grad: a negative input id is refused (Gather would count it from the end of the table)', () => {
    const batch = gradBatch((b) => (b.input_ids[0][2] = -5));
    const r = grad(batch);
    assert.strictEqual(r.code, 1);
    assert.strictEqual(r.stderr, `thanora grad: ${batch}: input_ids[0][2] = -5 is not a token id in [0, 96) (the model's embedding table has 96 rows); check that the tokenizer matches the model`);
  });

  it('grad: an id past the vocabulary is named, not left to ONNX Runtime', () => {
    const batch = gradBatch((b) => (b.input_ids[1][0] = 5000));
    const r = grad(batch);
    assert.strictEqual(r.code, 1);
    assert.strictEqual(r.stderr, `thanora grad: ${batch}: input_ids[1][0] = 5000 is not a token id in [0, 96) (the model's embedding table has 96 rows); check that the tokenizer matches the model`);
  });

  it('grad: class labels on a language-model batch', () => {
    const batch = gradBatch((b) => (b.labels = b.input_ids.map(() => 1)));
    const r = grad(batch);
    assert.strictEqual(r.code, 1);
    assert.strictEqual(
      r.stderr,
      `thanora grad: ${batch}: labels has shape [3], one class per row, but this is a causal-LM head, which needs one label per token: give labels of input_ids' shape [3, 12] (−100 where no loss is wanted), or use a sequence-classification adapter`,
    );
  });

  it('grad: a NaN loss names the base weight that holds the NaN', () => {
    const model = decodeModel(fs.readFileSync(llama));
    const weight = model.graph.initializers.find((t) => t.name === 'model.layers.0.input_layernorm.weight')!;
    const raw = Buffer.from(weight.raw!);
    raw.writeFloatLE(NaN, 8);
    weight.raw = raw;
    const file = path.join(tmp, 'model.onnx');
    fs.writeFileSync(file, encodeModel(model));
    const r = grad(path.join(fixtures, 'tiny-llama/batch.json'), file);
    assert.strictEqual(r.code, 1);
    assert.strictEqual(r.stderr, `thanora grad: the loss is NaN on this batch: the base model's weight 'model.layers.0.input_layernorm.weight' holds NaN (element 2); the base model is damaged: re-export it`);
  });

  it('train: bytes that are not UTF-8 name the file and line', () => {
    const file = writeTinyExperiment(tmp);
    const data = path.join(tmp, 'data/copy.jsonl');
    const lines = fs.readFileSync(data);
    const second = lines.indexOf(0x0a) + 1;
    fs.writeFileSync(data, Buffer.concat([lines.subarray(0, second + 15), Buffer.from([0xff, 0xfe]), lines.subarray(second + 15)]));
    const r = thanora('train', file);
    assert.strictEqual(r.code, 1);
    assert.strictEqual(
      r.stderr,
      `thanora train: 1 problem in the task data:\n  ${data}:2 (task "copy"): byte 16 of the line (0xff 0xfe 0x37 0x2c) is not valid UTF-8; save the file as UTF-8 (in VS Code: Save with Encoding → UTF-8)`,
    );
    assert.ok(!fs.existsSync(path.join(tmp, 'runs')), 'no run folder for bad data');
  });

  it('train: a rank above min(d_in, d_out) of the targets', () => {
    const file = writeTinyExperiment(tmp, { lora: { targets: ['q_proj', 'v_proj'], r: 300, alpha: 12 } });
    const r = thanora('train', file);
    assert.strictEqual(r.code, 1);
    assert.strictEqual(
      r.stderr,
      `thanora train: 1 problem in ${file}:\n  ${file}:21:10: /lora/r: lora.r = 300 exceeds min(d_in, d_out) of 4 target modules, e.g. model.layers.0.self_attn.q_proj (d_in 64, d_out 64): ` +
        'a rank-r update of a d_out × d_in weight has at most min(d_in, d_out) directions; lower lora.r to ≤ 64 or leave those modules out of lora.targets',
    );
  });

  it('train: threads past the schema maximum, and past this machine’s cores', () => {
    let file = writeTinyExperiment(tmp, { threads: 10000 });
    let r = thanora('train', file);
    assert.strictEqual(r.code, 1);
    assert.strictEqual(r.stderr, `thanora train: 1 problem in ${file}:\n  ${file}:41:14: /threads: must be an integer ≥ 0 and ≤ 1024 (got 10000)`);
    const cores = availableCores();
    file = writeTinyExperiment(tmp, { threads: cores + 1 });
    r = thanora('train', file);
    assert.strictEqual(r.code, 1);
    const machine = `this machine has ${cores} CPU core${cores === 1 ? '' : 's'}; more threads than cores make every step slower, not faster: use 0 (ONNX Runtime chooses) or at most ${cores}`;
    assert.strictEqual(r.stderr, `thanora train: 1 problem in ${file}:\n  ${file}:41:14: /threads: threads is ${cores + 1} but ${machine}`);
    r = thanora('train', writeTinyExperiment(tmp), '--threads', String(cores + 1));
    assert.strictEqual(r.code, 2);
    assert.strictEqual(r.stderr.split('\n')[0], `thanora train: --threads is ${cores + 1} but ${machine}`);
  });

  it('train: an output folder outside the workspace, unless the file opts out', () => {
    const file = writeTinyExperiment(tmp, { output: '../../../../x' });
    const r = thanora('train', file);
    assert.strictEqual(r.code, 1);
    assert.strictEqual(
      r.stderr,
      `thanora train: 1 problem in ${file}:\n  ${file}:42:13: /output: output "../../../../x" resolves to ${path.resolve(tmp, '../../../../x')}, outside the workspace ${tmp}; ` +
        'write runs inside it (e.g. "runs"), or set "outputOutsideWorkspace": true to allow it',
    );
    assert.ok(!fs.existsSync(path.resolve(tmp, '../../../../x')));
  });

  it('train: --runs-dir that is a file says so (not EEXIST)', () => {
    const plain = path.join(tmp, 'plain.txt');
    fs.writeFileSync(plain, 'x');
    const r = thanora('train', writeTinyExperiment(tmp), '--runs-dir', plain);
    assert.strictEqual(r.code, 1);
    assert.strictEqual(r.stderr, `thanora train: cannot create the output folder ${plain}: ${plain} is a file, not a folder; choose another folder`);
  });

  it('train: --runs-dir on a read-only disk says so (not ENOENT)', function () {
    skipWithoutTmpfs(this);
    const ro = mountTmpfs(64 * 1024, { readOnly: true })!;
    try {
      const runs = path.join(ro.dir, 'runs/exp');
      const r = thanora('train', writeTinyExperiment(tmp), '--runs-dir', runs);
      assert.strictEqual(r.code, 1);
      assert.strictEqual(r.stderr, `thanora train: cannot create the output folder ${runs}: the disk is read-only; choose a folder on a writable disk`);
    } finally {
      ro.unmount();
    }
  });

  it('train and doctor: opsets and IR versions the bundled ONNX Runtime cannot load, and opsets training cannot use', () => {
    const base = decodeModel(fs.readFileSync(llama));
    const cases: [string, object, string][] = [
      ['opset99', { opsetImports: [{ domain: '', version: 99 }] }, 'the model imports opset 99 of ai.onnx, but ONNX Runtime 1.30 (onnxruntime-node) supports ai.onnx up to opset 26; re-export it with opset_version between 17 and 26'],
      ['opset11', { opsetImports: [{ domain: '', version: 11 }] }, 'the model imports ONNX opset 11, but training (its loss is SoftmaxCrossEntropyLoss) needs opset ≥ 12; re-export it with opset_version=17'],
      ['ir99', { irVersion: 99 }, "the model's IR version is 99, but ONNX Runtime 1.30 (onnxruntime-node) reads IR versions up to 13; re-export it with an older exporter (or, if it uses nothing newer, set ir_version = 13 with the onnx Python package)"],
    ];
    for (const [name, change, message] of cases) {
      const dir = path.join(tmp, name);
      fs.mkdirSync(dir);
      const model = path.join(dir, 'model.onnx');
      fs.writeFileSync(model, encodeModel({ ...base, ...change }));
      const train = thanora('train', writeTinyExperiment(dir, { baseModel: 'model.onnx' }));
      assert.strictEqual(train.code, 1, name);
      assert.strictEqual(train.stderr, `thanora train: ${model}: ${message}`, name);
      const doctor = thanora('doctor', model);
      assert.strictEqual(doctor.code, 1, name);
      assert.strictEqual(doctor.stderr, `thanora doctor: ${model}: ${message}`, name);
    }
  });

  it('generate: a classifier cannot generate (it printed nothing and exited 0)', () => {
    const model = path.join(fixtures, 'tiny-bert-cls/model.onnx');
    const r = thanora('generate', '--model', model, '--prompt', 'hi');
    assert.strictEqual(r.code, 1);
    assert.strictEqual(r.stderr, `thanora generate: ${model}: output 'logits' has shape [batch, 3], not [batch, sequence, vocabulary]: it is not a causal language model (a classifier has [batch, classes]), so it cannot generate text`);
  });

  it('doctor: a negative --rank names the range (not "ambiguous")', () => {
    const r = thanora('doctor', llama, '--rank', '-1');
    assert.strictEqual(r.code, 2);
    assert.strictEqual(r.stderr.split('\n')[0], "thanora doctor: --rank must be an integer ≥ 1, got '-1'");
  });

  it('train, grad and doctor: an export that returns logits for one position only (transformers 5 through dynamo=False)', () => {
    const base = decodeModel(fs.readFileSync(llama));
    const keepInput = { name: 'logits_to_keep', elemType: 7, shape: [] };
    const model = path.join(tmp, 'model.onnx');
    fs.writeFileSync(model, encodeModel({ ...base, graph: { ...base.graph, inputs: [...base.graph.inputs, keepInput] } }));
    const message =
      "the model returns logits for one position only (it has a 'logits_to_keep' input), but causal-LM training needs the logits of every position, [batch, seq, vocab]. " +
      'Re-export it with a wrapper whose forward returns model(input_ids, attention_mask=attention_mask, logits_to_keep=0).logits ' +
      '(logits_to_keep=0 keeps all positions), or import the Hugging Face folder with `thanora import`';
    const doctor = thanora('doctor', model);
    assert.strictEqual(doctor.code, 1);
    assert.strictEqual(doctor.stderr, `thanora doctor: ${model}: ${message}`);
    const train = thanora('train', writeTinyExperiment(tmp, { baseModel: 'model.onnx' }));
    assert.strictEqual(train.code, 1);
    assert.strictEqual(train.stderr, `thanora train: ${model}: ${message}`);
    const adapter = path.join(fixtures, 'tiny-llama');
    const grad = thanora('grad', '--model', model, '--adapter', adapter, '--batch', path.join(adapter, 'batch.json'), '--out', path.join(tmp, 'g.safetensors'));
    assert.strictEqual(grad.code, 1);
    assert.strictEqual(grad.stderr, `thanora grad: ${model}: ${message}`);
  });

  it('doctor: a model copied without its external data names the tensor and the missing file', () => {
    const source = path.join(fixtures, 'hf/hf-llama-dynamo');
    fs.copyFileSync(path.join(source, 'model.onnx'), path.join(tmp, 'model.onnx'));
    const r = thanora('doctor', path.join(tmp, 'model.onnx'));
    assert.strictEqual(r.code, 1);
    assert.match(r.stderr, /tensor '[^']+' keeps its data in 'model\.onnx\.data', which is missing next to the model\. Copy the model together with its data files\./);
  });
});
