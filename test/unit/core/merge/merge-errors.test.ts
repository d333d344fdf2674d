// Merges that must not happen fail with a named error that says what and where; bases with external data merge
// into a model with external data, leaving the base's files untouched.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { readBatchFile } from '../../../../src/core/io/batch-file';
import { mergeCheckpoint, mergePeftAdapter } from '../../../../src/core/merge/merge-adapter';
import { MergeInputError, MergeMismatchError, MergeOutputError } from '../../../../src/core/merge/merge-errors';
import { openBaseModel, writeMergedModel } from '../../../../src/core/merge/merged-model-writer';
import { readModelFile, writeModelFile } from '../../../../src/core/onnx/model-file';
import { readSafetensorsLite } from '../../../support/read-safetensors-lite';
import { buildSyntheticRun } from './synthetic-run';
import { fixtureDir, makeTempDir, relativeMaxDiff, runModelFile, sha256 } from './merge-test-helpers';

const llama = fixtureDir('tiny-llama');
const llamaModel = path.join(llama, 'model.onnx');

function copyAdapter(from: string, to: string, edit: (config: Record<string, unknown>) => void): string {
  fs.mkdirSync(to, { recursive: true });
  fs.copyFileSync(path.join(from, 'adapter.safetensors'), path.join(to, 'adapter.safetensors'));
  const config = JSON.parse(fs.readFileSync(path.join(from, 'adapter_config.json'), 'utf8'));
  edit(config);
  fs.writeFileSync(path.join(to, 'adapter_config.json'), JSON.stringify(config));
  return to;
}

describe('merge errors', function () {
  this.timeout(60000);
  let tmp: string;
  beforeEach(() => (tmp = makeTempDir()));
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const noVerify = { verify: false };

  it('an adapter from another base model', async () => {
    await assert.rejects(mergePeftAdapter(llamaModel, fixtureDir('tiny-gpt2'), { outDir: tmp, ...noVerify }), (e: Error) => e instanceof MergeMismatchError && /module_map\['transformer.h.0.attn.c_attn'\]: node '\/h.0\/c_attn\/MatMul' is not a MatMul\/Gemm/.test(e.message));
    // Same node names, other weights: the named export's module map on the folded export.
    await assert.rejects(mergePeftAdapter(llamaModel, fixtureDir('tiny-llama-named'), { outDir: tmp, ...noVerify }), (e: Error) => e instanceof MergeMismatchError && /reads weight 'onnx::MatMul_416', not 'model.layers.0.self_attn.q_proj.weight'/.test(e.message));
    // By target names only, the shapes tell: tiny-gpt2's adapter is 32 wide on a model whose modules are not.
    const byName = copyAdapter(fixtureDir('tiny-gpt2'), path.join(tmp, 'a'), (c) => delete c.module_map);
    await assert.rejects(mergePeftAdapter(fixtureDir('tiny-bert-cls') + '/model.onnx', byName, { outDir: path.join(tmp, 'o'), ...noVerify }), MergeMismatchError);
    assert.ok(!fs.existsSync(path.join(tmp, 'model.onnx')), 'nothing is written when the plan fails');
  });

  it('a model with no matching modules', async () => {
    const adapter = copyAdapter(llama, path.join(tmp, 'a'), (c) => {
      delete c.module_map;
      c.target_modules = ['c_attn'];
    });
    await assert.rejects(mergePeftAdapter(llamaModel, adapter, { outDir: path.join(tmp, 'o'), ...noVerify }), (e: Error) => e instanceof MergeMismatchError && /'c_attn' matched no linear module/.test(e.message));
  });

  it('a missing initializer, and an output that would overwrite the base', () => {
    const base = openBaseModel(llamaModel);
    assert.throws(() => writeMergedModel(base, path.join(tmp, 'model.onnx'), new Map([['no_such_weight', () => undefined]])), (e: Error) => e instanceof MergeMismatchError && /has no initializer 'no_such_weight'/.test(e.message));
    const copy = path.join(tmp, 'model.onnx');
    fs.copyFileSync(llamaModel, copy);
    return assert.rejects(mergePeftAdapter(copy, llama, { outDir: tmp, ...noVerify }), MergeOutputError);
  });

  it('a weight that another node also reads (tied weights)', async () => {
    const model = readModelFile(llamaModel);
    const q = model.graph.nodes.find((n) => n.name === '/layers.0/self_attn/q_proj/MatMul')!;
    model.graph.nodes.push({ name: 'tied_reader', opType: 'MatMul', domain: '', inputs: [q.inputs[0], q.inputs[1]], outputs: ['tied_out'], attributes: [] });
    const tied = path.join(tmp, 'tied.onnx');
    writeModelFile(tied, model);
    await assert.rejects(mergePeftAdapter(tied, llama, { outDir: path.join(tmp, 'o'), ...noVerify }), (e: Error) => e instanceof MergeMismatchError && /weight 'onnx::MatMul_416' of module 'model.layers.0.self_attn.q_proj' is shared by MatMul '\/layers.0\/self_attn\/q_proj\/MatMul', MatMul 'tied_reader'/.test(e.message));
  });

  it('a run without checkpoints, a residual checkpoint without init blocks, a moved base model', async () => {
    await assert.rejects(mergeCheckpoint(tmp), (e: Error) => e instanceof MergeInputError && /has no checkpoint yet/.test(e.message));
    const run = buildSyntheticRun(path.join(tmp, 'run'), { residual: true });
    fs.rmSync(path.join(run.checkpointDir, 'init_adapter.safetensors'));
    await assert.rejects(mergeCheckpoint(run.runDir, noVerify), (e: Error) => e instanceof MergeInputError && /init_adapter.safetensors is missing/.test(e.message));
    await assert.rejects(mergeCheckpoint(llama, noVerify), (e: Error) => e instanceof MergeInputError && /has no "thanora" field/.test(e.message));
    const moved = buildSyntheticRun(path.join(tmp, 'moved'), { residual: false });
    const project = JSON.parse(fs.readFileSync(path.join(moved.checkpointDir, 'thanora_adapter.json'), 'utf8'));
    project.thanora.baseModel = 'gone/model.onnx';
    fs.writeFileSync(path.join(moved.checkpointDir, 'thanora_adapter.json'), JSON.stringify(project));
    await assert.rejects(mergeCheckpoint(moved.runDir, noVerify), /does not exist; pass --model/);
    const ok = await mergeCheckpoint(moved.runDir, { ...noVerify, baseModel: llamaModel });
    assert.ok(fs.existsSync(path.join(ok.outDir, 'model.onnx')));
  });
});

describe('merge a base model with external data', function () {
  this.timeout(60000);
  it('writes model.onnx with its own data file, runs in ONNX Runtime, and leaves the base files unchanged', async () => {
    const tmp = makeTempDir();
    try {
      const baseFile = path.join(tmp, 'base', 'base.onnx');
      fs.mkdirSync(path.dirname(baseFile));
      writeModelFile(baseFile, readModelFile(llamaModel), { externalData: 'always' });
      const hashes = [sha256(baseFile), sha256(`${baseFile}.data`)];
      const out = path.join(tmp, 'out');
      const batchFile = path.join(llama, 'batch.json');
      const { report } = await mergePeftAdapter(baseFile, llama, { outDir: out, batchFile });
      assert.strictEqual(report.pass, true);
      assert.deepStrictEqual(report.outputs.dataFiles, [path.join(out, 'base.onnx.data')]);
      assert.deepStrictEqual([sha256(baseFile), sha256(`${baseFile}.data`)], hashes);
      assert.ok(readModelFile(path.join(out, 'model.onnx'), { loadExternalData: false }).graph.initializers.some((t) => t.external));
      const logits = await runModelFile(path.join(out, 'model.onnx'), readBatchFile(batchFile));
      // Tolerance: 1e-4 relative against PyTorch, as for the inline fixtures.
      assert.ok(relativeMaxDiff(logits, readSafetensorsLite(path.join(llama, 'expected_logits.safetensors')).get('adapted')!.data) < 1e-4);
      // Merging next to the base would overwrite its data file.
      await assert.rejects(mergePeftAdapter(baseFile, llama, { outDir: path.dirname(baseFile), verify: false }), (e: Error) => e instanceof MergeOutputError && /would overwrite the base model's/.test(e.message));
      assert.deepStrictEqual([sha256(baseFile), sha256(`${baseFile}.data`)], hashes);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});
