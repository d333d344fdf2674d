// Training a classifier trains its head as PEFT's SEQ_CLS does (lora.modulesToSave "auto"): the real
// BertForSequenceClassification export of test/fixtures/hf/hf-bert-cls-mts-ts, two text classification tasks,
// method lora. The head moves, is checkpointed under PEFT's keys with modules_to_save and task SEQ_CLS, resumes
// exactly, and the merge writes it: merged logits equal the unmerged model with the trained head (relative 1e-4,
// the merge verification's float32 tolerance) and the merged classifier bytes equal the checkpoint's.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { readSafetensors } from '../../../../src/core/io/safetensors';
import { mergeCheckpoint } from '../../../../src/core/merge';
import { mergePeftAdapter } from '../../../../src/core/merge/merge-adapter';
import { readModelFile } from '../../../../src/core/onnx/model-file';
import { tensorToFloat32 } from '../../../../src/core/onnx/tensor-data';
import { readRunEvents } from '../../../../src/core/run-folder';
import { runTraining } from '../../../../src/core/train/run-training';
import { RunEvent, StepEvent } from '../../../../src/protocol/run-events';

const fixture = path.resolve(__dirname, '../../../../../test/fixtures/hf/hf-bert-cls-mts-ts');
const steps = (events: RunEvent[]) => events.filter((e): e is StepEvent => e.type === 'step');

function writeClassificationExperiment(dir: string, lora: object = {}, training: object = {}): string {
  fs.mkdirSync(path.join(dir, 'data'), { recursive: true });
  const words = ['red', 'green', 'blue', 'cat', 'dog', 'sun', 'rain', 'tree'];
  const line = (k: number, classes: number) => JSON.stringify({ text: `${words[k % 8]} ${words[(k * 3) % 8]} ${k}`, label: k % classes });
  fs.writeFileSync(path.join(dir, 'data/a.jsonl'), Array.from({ length: 16 }, (_, k) => line(k, 3)).join('\n') + '\n');
  fs.writeFileSync(path.join(dir, 'data/b.jsonl'), Array.from({ length: 16 }, (_, k) => line(k + 5, 2)).join('\n') + '\n');
  const file = path.join(dir, 'thanora.json');
  fs.writeFileSync(
    file,
    JSON.stringify({
      baseModel: path.join(fixture, 'model.onnx'),
      tokenizer: 'bytes',
      tasks: [
        { name: 'a', train: 'data/a.jsonl', eval: 'data/a.jsonl', format: 'classification' },
        { name: 'b', train: 'data/b.jsonl', eval: 'data/b.jsonl', format: 'classification' },
      ],
      lora: { targets: ['query', 'value'], r: 2, alpha: 4, ...lora },
      method: { name: 'lora' },
      training: { steps: 4, batchSize: 4, seqLength: 16, lr: 0.01, warmupSteps: 1, evalEvery: 0, checkpointEvery: 2, seed: 5, ...training },
      device: 'cpu',
      threads: 1,
      output: 'runs',
    }),
  );
  return file;
}

const baseHead = () => {
  const t = readModelFile(path.join(fixture, 'model.onnx')).graph.initializers.find((x) => x.name === 'classifier.weight')!;
  return tensorToFloat32(t);
};

describe('training a classifier: the head as modules_to_save (hf-bert-cls-mts-ts)', function () {
  this.timeout(180000);
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'thanora-mts-train-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('trains the head by default, checkpoints it as PEFT modules_to_save, resumes exactly and merges it', async () => {
    const result = await runTraining(writeClassificationExperiment(dir));
    assert.strictEqual(result.state, 'finished', result.error);
    const last = path.join(result.runDir, 'checkpoints', 'step-00000004');
    const config = JSON.parse(fs.readFileSync(path.join(last, 'adapter_config.json'), 'utf8'));
    assert.strictEqual(config.task_type, 'SEQ_CLS');
    assert.deepStrictEqual(config.modules_to_save, ['classifier']);
    const tensors = readSafetensors(path.join(last, 'adapter_model.safetensors')).tensors;
    const head = tensors.get('base_model.model.classifier.weight')!;
    assert.deepStrictEqual(head.shape, [3, 64]);
    assert.deepStrictEqual(tensors.get('base_model.model.classifier.bias')!.shape, [3]);
    const base = baseHead();
    const moved = (head.data as Float32Array).reduce((m, v, i) => Math.max(m, Math.abs(v - base[i])), 0);
    assert.ok(moved > 1e-3, `the head moved by ${moved} only`);

    // Resuming from step 2 replays steps 3 and 4 exactly (the head's AdamW state is in the checkpoint).
    const original = steps(readRunEvents(result.runDir));
    const resumed = await runTraining('', { resumeFrom: path.join(result.runDir, 'checkpoints', 'step-00000002') });
    assert.strictEqual(resumed.state, 'finished', resumed.error);
    const replay = steps(readRunEvents(result.runDir)).slice(original.length);
    assert.deepStrictEqual(replay.map((s) => s.step), [3, 4]);
    assert.deepStrictEqual(replay.map((s) => s.loss), original.slice(2).map((s) => s.loss));

    const merged = await mergeCheckpoint(result.runDir);
    assert.strictEqual(merged.report.pass, true, JSON.stringify(merged.report.verification));
    const mergedHead = tensorToFloat32(readModelFile(merged.report.outputs.model).graph.initializers.find((x) => x.name === 'classifier.weight')!);
    assert.deepStrictEqual(Array.from(mergedHead), Array.from(head.data as Float32Array));

    // The PEFT export: only LoraConfig keys, the task, exactly the trained modules, the head; project data beside it.
    const exported = JSON.parse(fs.readFileSync(path.join(merged.outDir, 'adapter_config.json'), 'utf8'));
    assert.strictEqual(exported.task_type, 'SEQ_CLS');
    const trained = merged.report.modules.map((m) => m.name).sort();
    assert.strictEqual(trained.length, 4);
    assert.deepStrictEqual(exported.target_modules, trained);
    assert.deepStrictEqual(exported.modules_to_save, ['classifier']);
    for (const key of ['thanora', 'module_map', 'task']) assert.ok(!(key in exported), `adapter_config.json has "${key}"`);
    const project = JSON.parse(fs.readFileSync(path.join(merged.outDir, 'thanora_adapter.json'), 'utf8'));
    assert.deepStrictEqual(Object.keys(project.module_map).sort(), trained);
    assert.strictEqual(project.thanora.step, 4);
    const exportedTensors = readSafetensors(path.join(merged.outDir, 'adapter_model.safetensors')).tensors;
    assert.deepStrictEqual(Array.from(exportedTensors.get('base_model.model.classifier.weight')!.data as Float32Array), Array.from(head.data as Float32Array));
    // …and merged again as a plain adapter it gives the same model.
    const again = await mergePeftAdapter(path.join(fixture, 'model.onnx'), merged.outDir, { outDir: path.join(dir, 'again') });
    assert.strictEqual(again.report.pass, true, JSON.stringify(again.report.verification));
    const reMergedHead = tensorToFloat32(readModelFile(again.report.outputs.model).graph.initializers.find((x) => x.name === 'classifier.weight')!);
    assert.deepStrictEqual(Array.from(reMergedHead), Array.from(head.data as Float32Array));
  });

  it('lora.modulesToSave [] keeps the head frozen and out of the checkpoint', async () => {
    const result = await runTraining(writeClassificationExperiment(dir, { modulesToSave: [] }, { steps: 2 }));
    assert.strictEqual(result.state, 'finished', result.error);
    const last = path.join(result.runDir, 'checkpoints', 'step-00000002');
    const keys = [...readSafetensors(path.join(last, 'adapter_model.safetensors')).tensors.keys()];
    assert.ok(keys.every((k) => /\.lora_[AB]\.weight$/.test(k)), keys.join(', '));
    const merged = await mergeCheckpoint(result.runDir);
    const mergedHead = tensorToFloat32(readModelFile(merged.report.outputs.model).graph.initializers.find((x) => x.name === 'classifier.weight')!);
    assert.deepStrictEqual(Array.from(mergedHead), Array.from(baseHead()));
  });

  it('a modulesToSave entry that matches no module fails before the run, naming the entry', async () => {
    const result = await runTraining(writeClassificationExperiment(dir, { modulesToSave: ['head'] }));
    assert.strictEqual(result.state, 'failed');
    assert.match(result.error ?? '', /\/lora\/modulesToSave\/0/);
    assert.match(result.error ?? '', /"head" matches no linear module/);
  });

  it('a module both targeted and saved is refused', async () => {
    const result = await runTraining(writeClassificationExperiment(dir, { targets: ['query', 'classifier'] }));
    assert.strictEqual(result.state, 'failed');
    assert.match(result.error ?? '', /'classifier' is both a LoRA target and a module to save/);
  });
});
