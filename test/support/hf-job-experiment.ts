// An experiment whose base is a real Hugging Face model exported to ONNX (test/fixtures/hf/hf-llama-ts: model.onnx
// for the engine, hf_base for train.py, named with --hf-model), two prompt/completion tasks of a few examples
// from train_assets (so epochs roll over), ThanoRA with SPR. The Python suite (test/python/test_export_job.py)
// writes the same experiment.
import * as fs from 'fs';
import * as path from 'path';

const root = path.resolve(__dirname, '../../..');
export const HF_FIXTURE = path.join(root, 'test/fixtures/hf/hf-llama-ts');
export const HF_BASE = path.join(HF_FIXTURE, 'hf_base');
const assets = path.join(root, 'test/fixtures/hf/train_assets');

export const JOB_TASKS = [
  { name: 'upper', examples: 5, weight: 2 },
  { name: 'reverse', examples: 4, weight: 1 },
];

export function writeHfJobExperiment(dir: string): string {
  fs.mkdirSync(path.join(dir, 'data'), { recursive: true });
  const tasks = JOB_TASKS.map(({ name, examples, weight }) => {
    const lines = fs.readFileSync(path.join(assets, 'data', `${name}.train.jsonl`), 'utf8').split('\n').slice(0, examples);
    fs.writeFileSync(path.join(dir, 'data', `${name}.jsonl`), lines.join('\n') + '\n');
    return { name, train: `data/${name}.jsonl`, eval: `data/${name}.jsonl`, weight };
  });
  const file = path.join(dir, 'thanora.json');
  fs.writeFileSync(
    file,
    JSON.stringify({
      baseModel: path.join(HF_FIXTURE, 'model.onnx'),
      tokenizer: path.join(assets, 'tokenizer.json'),
      tasks,
      lora: { targets: ['q_proj', 'v_proj', 'down_proj'], r: 6, alpha: 12 },
      method: { name: 'thanora', previewSamples: 4, lambda: 0.1 },
      training: { steps: 3, batchSize: 4, gradAccumulation: 2, seqLength: 32, lr: 0.01, warmupSteps: 1, weightDecay: 0.1, gradClip: 1, mixing: 'proportional', evalEvery: 0, checkpointEvery: 1, seed: 7 },
      device: 'cpu',
      threads: 1,
      output: 'runs',
    }, null, 2),
  );
  return file;
}
