// `thanora export-job` writes a job folder that is also a run folder: job.json (what train.py reads), the
// step-0 checkpoint with exactly the init `thanora train` computes, residual.safetensors = W′ − W = −s·B₀A₀ in
// the Hugging Face checkpoint's keys and orientation, the tokenized data in the engine's order, the templates
// and a filled README. Bad input (no Hugging Face folder, a model not from Hugging Face, a used --out) fails
// before anything is written, with the fix in the message. No Python here: test/python/test_export_job.py runs
// the job.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { exportTrainingJob, ExportedJob } from '../../../../src/core/export-job/export-job';
import { JOB_FORMAT, JobSpec } from '../../../../src/core/export-job/job-spec';
import { readSafetensors } from '../../../../src/core/io/safetensors';
import { readCheckpoint } from '../../../../src/core/train/checkpoint';
import { setupExperiment } from '../../../../src/core/train/experiment-setup';
import { initializeFresh } from '../../../../src/core/train/method-state';
import { TaskMixer } from '../../../../src/core/data/task-mixer';
import { createHfExperiment } from '../../../../src/core/experiment/hf-experiment';
import { HF_BASE, HF_FIXTURE, JOB_EVAL_EXAMPLES, JOB_TASKS, writeHfJobExperiment } from '../../../support/hf-job-experiment';

const root = path.resolve(__dirname, '../../../../..');

describe('export-job: the job folder', function () {
  this.timeout(120000);
  let tmp: string;
  let experiment: string;
  let job: ExportedJob;

  before(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'thanora-export-job-'));
    experiment = writeHfJobExperiment(path.join(tmp, 'exp'));
    job = await exportTrainingJob(experiment, { target: 'accelerate', outDir: path.join(tmp, 'job'), hfModel: HF_BASE });
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('lists every file it wrote, templates copied unchanged', () => {
    const ckpt = 'checkpoints/step-00000000/';
    assert.deepStrictEqual(job.files, [
      'README.md', 'accelerate/ddp.yaml', 'accelerate/fsdp.yaml',
      `${ckpt}adapter_config.json`, `${ckpt}adapter_model.safetensors`, `${ckpt}init_adapter.safetensors`, `${ckpt}optimizer.safetensors`, `${ckpt}thanora_adapter.json`, `${ckpt}trainer_state.json`,
      'config.json', 'data/0-upper.eval.jsonl', 'data/0-upper.jsonl', 'data/1-reverse.eval.jsonl', 'data/1-reverse.jsonl', 'job.json', 'residual.safetensors', 'skypilot.yaml', 'train.py',
    ].sort());
    for (const name of ['train.py', 'accelerate/ddp.yaml', 'accelerate/fsdp.yaml', 'skypilot.yaml']) {
      assert.ok(fs.readFileSync(path.join(job.dir, name)).equals(fs.readFileSync(path.join(root, 'media/export-job', name))), name);
    }
    const readme = fs.readFileSync(path.join(job.dir, 'README.md'), 'utf8');
    assert.ok(!readme.includes('{{'), 'every README slot is filled');
    assert.match(readme, /LlamaForCausalLM/);
    assert.match(readme, /3 steps of 8 rows\s+\(4 × 2 accumulated\)/);
  });

  it('job.json: the Hugging Face folder and class, modules with their checkpoint keys, blocks summing to r', () => {
    const spec = JSON.parse(fs.readFileSync(path.join(job.dir, 'job.json'), 'utf8')) as JobSpec;
    assert.strictEqual(spec.format, JOB_FORMAT);
    assert.strictEqual(spec.hfModel, HF_BASE);
    assert.strictEqual(spec.hfClassName, 'LlamaForCausalLM');
    assert.strictEqual(spec.runId, 'job');
    assert.ok(!Number.isNaN(Date.parse(spec.exportedAt)));
    assert.deepStrictEqual(spec.tasks.map((t) => [t.name, t.examples, t.evalExamples, t.weight]), JOB_TASKS.map((t) => [t.name, t.examples, JOB_EVAL_EXAMPLES, t.weight]));
    assert.deepStrictEqual(spec.lora, { r: 6, alpha: 12 });
    assert.strictEqual(spec.residual, true);
    assert.deepStrictEqual(spec.spr, { lambda: 0.1, sides: 'both' });
    const hf = readSafetensors(path.join(HF_BASE, 'model.safetensors')).tensors;
    assert.strictEqual(spec.modules.length, 6);
    for (const m of spec.modules) {
      assert.strictEqual(m.weightKey, `${m.peftName}.weight`);
      assert.deepStrictEqual(hf.get(m.weightKey)?.shape, [m.dOut, m.dIn], `${m.weightKey} in the Hugging Face checkpoint`);
      assert.strictEqual(m.taskRanks.reduce((a, b) => a + b, 0) + m.cooperativeRank, 6, m.peftName);
      assert.strictEqual(m.taskRanks.length, 2);
      assert.strictEqual(m.layer, Number(/layers\.(\d+)\./.exec(m.peftName)![1]));
    }
    assert.deepStrictEqual(spec.training, {
      totalSteps: 3, batchSize: 4, gradAccumulation: 2, lr: 0.01, warmupSteps: 1, schedule: 'cosine', weightDecay: 0.1, gradClip: 1,
      seed: 7, mixing: 'proportional', padId: spec.training.padId, padding: 'longest', seqLength: 32, checkpointEvery: 1,
      evalEvery: 2, evalBatchSize: 16, eosId: setupExperiment(experiment).tokenizer.special.eos, best: { metric: 'mean-accuracy', patience: 0 }, onDivergence: 'warn',
    });
    assert.deepStrictEqual(spec.allocation?.map((a) => a.ranks), spec.modules.map((m) => m.taskRanks));
  });

  it('the step-0 checkpoint is the init `thanora train` computes, with a fresh mixer', async () => {
    const setup = setupExperiment(experiment);
    const init = await initializeFresh(setup);
    const ckpt = readCheckpoint(path.join(job.dir, 'checkpoints/step-00000000'));
    assert.strictEqual(ckpt.trainer.step, 0);
    assert.strictEqual(ckpt.trainer.totalSteps, 3);
    assert.strictEqual(ckpt.optimizer.step, 0);
    const mixer = new TaskMixer({ taskSizes: [5, 4], weights: [2, 1], mode: 'proportional', seed: 7 });
    assert.deepStrictEqual(ckpt.trainer.mixer, mixer.getState());
    assert.deepStrictEqual([...ckpt.values.keys()].sort(), [...init.values.keys()].sort());
    for (const [name, v] of init.values) assert.deepStrictEqual(ckpt.values.get(name), v, name);
    for (const [name, v] of init.init) assert.deepStrictEqual(ckpt.init?.get(name), v, name);
    assert.deepStrictEqual(ckpt.meta.blocks, init.blocks);
  });

  it("residual.safetensors holds W′ − W = −s·B₀A₀ per module, [d_out, d_in], under the checkpoint's keys", () => {
    // Tolerance: W′ is float32 W − s·B₀A₀ rounded once, so (W′ − W) is off by ≤ 1 ulp of |W| (≤ 6e-8·max|W|);
    // allow 2.5e-7·max|W| (4 ulps).
    const spec = JSON.parse(fs.readFileSync(path.join(job.dir, 'job.json'), 'utf8')) as JobSpec;
    const residual = readSafetensors(path.join(job.dir, 'residual.safetensors')).tensors;
    const init = readSafetensors(path.join(job.dir, 'checkpoints/step-00000000/init_adapter.safetensors')).tensors;
    const hf = readSafetensors(path.join(HF_BASE, 'model.safetensors')).tensors;
    const s = spec.lora.alpha / spec.lora.r;
    const r = spec.lora.r;
    assert.deepStrictEqual([...residual.keys()].sort(), spec.modules.map((m) => m.weightKey).sort());
    for (const m of spec.modules) {
      const delta = residual.get(m.weightKey)!;
      assert.strictEqual(delta.dtype, 'F32');
      assert.deepStrictEqual(delta.shape, [m.dOut, m.dIn]);
      const A0 = init.get(`base_model.model.${m.peftName}.lora_A.weight`)!.data as Float32Array;
      const B0 = init.get(`base_model.model.${m.peftName}.lora_B.weight`)!.data as Float32Array;
      const W = hf.get(m.weightKey)!.data as Float32Array;
      const maxW = W.reduce((a, v) => Math.max(a, Math.abs(v)), 0);
      let worst = 0;
      let size = 0;
      for (let o = 0; o < m.dOut; o++) {
        for (let i = 0; i < m.dIn; i++) {
          let ba = 0;
          for (let j = 0; j < r; j++) ba += B0[o * r + j] * A0[j * m.dIn + i];
          const got = (delta.data as Float32Array)[o * m.dIn + i];
          worst = Math.max(worst, Math.abs(got + s * ba));
          size = Math.max(size, Math.abs(s * ba));
        }
      }
      assert.ok(size > 1e-3, `${m.peftName}: the task blocks are not zero`);
      assert.ok(worst <= 2.5e-7 * maxW, `${m.peftName}: |Δ| ${worst} > 2.5e-7·${maxW}`);
    }
  });

  it('data/: the tokenized train examples, in the order the mixer indexes them, and the eval examples', () => {
    const setup = setupExperiment(experiment);
    const read = (file: string) => fs.readFileSync(path.join(job.dir, file), 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l));
    setup.data.tasks.forEach((task, t) => {
      for (const [split, file, count] of [['train', `data/${t}-${task.name}.jsonl`, JOB_TASKS[t].examples], ['eval', `data/${t}-${task.name}.eval.jsonl`, JOB_EVAL_EXAMPLES]] as const) {
        const lines = read(file);
        assert.strictEqual(lines.length, count, file);
        task[split].forEach((e, i) => {
          assert.strictEqual(e.kind, 'causal_lm');
          if (e.kind !== 'causal_lm') return;
          assert.deepStrictEqual(lines[i], { input_ids: Array.from(e.inputIds), labels: Array.from(e.labels) }, `${file}:${i + 1}`);
          assert.ok(lines[i].labels.includes(-100) && lines[i].labels.some((v: number) => v >= 0), 'prompt masked, completion counted');
        });
      }
      assert.notDeepStrictEqual(read(`data/${t}-${task.name}.eval.jsonl`)[0], read(`data/${t}-${task.name}.jsonl`)[0], 'eval is its own split');
    });
  });

  it('config.json is the resolved experiment, so `thanora train --resume <job>` reads it', () => {
    const config = JSON.parse(fs.readFileSync(path.join(job.dir, 'config.json'), 'utf8'));
    assert.strictEqual(config.baseModel, path.join(HF_FIXTURE, 'model.onnx'));
    assert.strictEqual(config.output, path.join(tmp, 'exp', 'runs'));
    assert.deepStrictEqual(config.training.length, { unit: 'steps', steps: 3 });
  });
});

describe('export-job: an experiment made by `thanora import`', function () {
  this.timeout(120000);
  let tmp: string;
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it("needs no --hf-model: the imported model's folder and the import record's checkpoint keys", async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'thanora-export-job-imported-'));
    const hf = path.join(tmp, 'hf');
    fs.cpSync(HF_BASE, hf, { recursive: true });
    fs.copyFileSync(path.join(root, 'test/fixtures/hf/train_assets/tokenizer.json'), path.join(hf, 'tokenizer.json'));
    const created = await createHfExperiment(hf, path.join(tmp, 'exp'));
    const job = await exportTrainingJob(created.experimentFile, { target: 'accelerate', outDir: path.join(tmp, 'job') });
    assert.strictEqual(job.spec.hfModel, path.join(tmp, 'exp', 'model'));
    assert.strictEqual(job.spec.hfClassName, 'LlamaForCausalLM');
    const keys = readSafetensors(path.join(HF_BASE, 'model.safetensors')).tensors;
    assert.ok(job.spec.modules.length > 0);
    for (const m of job.spec.modules) assert.deepStrictEqual(keys.get(m.weightKey)?.shape, [m.dOut, m.dIn], m.weightKey);
  });
});

describe('export-job: bad input', function () {
  this.timeout(60000);
  let tmp: string;
  let experiment: string;
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'thanora-export-job-bad-'));
    experiment = writeHfJobExperiment(path.join(tmp, 'exp'));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  const exportTo = (out: string, hfModel?: string) => exportTrainingJob(experiment, { target: 'accelerate', outDir: path.join(tmp, out), hfModel });

  it('a model not made by `thanora import`, without --hf-model: says to use --hf-model or import', async () => {
    await assert.rejects(exportTo('no-hf'), (e: Error) => {
      assert.strictEqual(
        e.message,
        `${path.join(HF_FIXTURE, 'model.onnx')} was not made by \`thanora import\` (it has no Hugging Face import record), so there is no Hugging Face model for train.py to load; ` +
          'import the model folder with `thanora import <hf-folder> --experiment DIR`, or name the folder with --hf-model',
      );
      return true;
    });
    assert.ok(!fs.existsSync(path.join(tmp, 'no-hf')), 'nothing written');
  });

  it('--hf-model naming a missing folder', async () => {
    const missing = path.join(tmp, 'nowhere');
    await assert.rejects(exportTo('missing', missing), { message: `${missing} is not a folder; name the Hugging Face model folder train.py should load with --hf-model` });
    assert.ok(!fs.existsSync(path.join(tmp, 'missing')));
  });

  it('--hf-model naming a folder without config.json, or without weights', async () => {
    const empty = path.join(tmp, 'empty-hf');
    fs.mkdirSync(empty);
    await assert.rejects(exportTo('empty', empty), { message: `${empty} has no config.json, so it is not a Hugging Face model folder; name the folder train.py should load with --hf-model` });
    fs.copyFileSync(path.join(HF_BASE, 'config.json'), path.join(empty, 'config.json'));
    await assert.rejects(exportTo('empty', empty), { message: `${empty} has no *.safetensors weights for train.py to load; name the original Hugging Face folder with --hf-model` });
  });

  it('config.json without "architectures"', async () => {
    const noArch = path.join(tmp, 'no-arch');
    fs.mkdirSync(noArch);
    const config = JSON.parse(fs.readFileSync(path.join(HF_BASE, 'config.json'), 'utf8'));
    delete config.architectures;
    fs.writeFileSync(path.join(noArch, 'config.json'), JSON.stringify(config));
    fs.copyFileSync(path.join(HF_BASE, 'model.safetensors'), path.join(noArch, 'model.safetensors'));
    await assert.rejects(exportTo('no-arch-job', noArch), { message: `${path.join(noArch, 'config.json')} names no "architectures"; train.py needs the model class (e.g. LlamaForCausalLM)` });
  });

  it('--out that is a file, or a folder with files', async () => {
    fs.writeFileSync(path.join(tmp, 'a-file'), 'x');
    await assert.rejects(exportTo('a-file', HF_BASE), { message: `--out ${path.join(tmp, 'a-file')} is a file; name a new folder for the job` });
    fs.mkdirSync(path.join(tmp, 'used'));
    fs.writeFileSync(path.join(tmp, 'used', 'keep.txt'), 'x');
    await assert.rejects(exportTo('used', HF_BASE), { message: `--out ${path.join(tmp, 'used')} is not empty; name a new folder for the job (an export never mixes with other files)` });
    assert.deepStrictEqual(fs.readdirSync(path.join(tmp, 'used')), ['keep.txt']);
  });

  it('a task-block learning rate train.py does not implement (method.taskLrScale ≠ 1), before anything is written', async () => {
    const text = JSON.parse(fs.readFileSync(experiment, 'utf8'));
    const scaled = path.join(path.dirname(experiment), 'scaled.thanora.json');
    fs.writeFileSync(scaled, JSON.stringify({ ...text, method: { ...text.method, taskLrScale: 0.5 } }));
    await assert.rejects(exportTrainingJob(scaled, { target: 'accelerate', outDir: path.join(tmp, 'scaled'), hfModel: HF_BASE }), {
      message: `${scaled}: method.taskLrScale = 0.5, but train.py trains the whole adapter at one learning rate; export with taskLrScale 1`,
    });
    assert.ok(!fs.existsSync(path.join(tmp, 'scaled')) || fs.readdirSync(path.join(tmp, 'scaled')).length === 0);
  });

  it('a target other than accelerate', async () => {
    await assert.rejects(exportTrainingJob(experiment, { target: 'ray' as 'accelerate', outDir: path.join(tmp, 'ray') }), { message: '--target ray is not supported; use accelerate' });
  });
});
