// An experiment whose base is a real Hugging Face model exported to ONNX (test/fixtures/hf/hf-llama-ts: model.onnx
// for the engine, hf_base for train.py, named with --hf-model), two prompt/completion tasks of a few examples
// from train_assets (so epochs roll over) and a few eval examples, ThanoRA with SPR, an eval every 2 steps. The
// Python suite (test/python/test_export_job.py) writes its experiment with this function too.
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
/** Eval examples per task, the first of its eval file. */
export const JOB_EVAL_EXAMPLES = 6;

export function writeHfJobExperiment(dir: string): string {
  fs.mkdirSync(path.join(dir, 'data'), { recursive: true });
  const tasks = JOB_TASKS.map(({ name, examples, weight }) => {
    for (const [split, count] of [['train', examples], ['eval', JOB_EVAL_EXAMPLES]] as const) {
      const lines = fs.readFileSync(path.join(assets, 'data', `${name}.${split}.jsonl`), 'utf8').split('\n').slice(0, count);
      fs.writeFileSync(path.join(dir, 'data', `${name}.${split}.jsonl`), lines.join('\n') + '\n');
    }
    return { name, train: `data/${name}.train.jsonl`, eval: `data/${name}.eval.jsonl`, weight };
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
      training: { steps: 3, batchSize: 4, gradAccumulation: 2, seqLength: 32, lr: 0.01, warmupSteps: 1, weightDecay: 0.1, gradClip: 1, mixing: 'proportional', evalEvery: 2, checkpointEvery: 1, seed: 7 },
      device: 'cpu',
      threads: 1,
      output: 'runs',
    }, null, 2),
  );
  return file;
}
