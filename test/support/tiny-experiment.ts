// A small real experiment for tests that train: the tiny-llama fixture, two pre-tokenized tasks of different
// structure over its 96-token vocabulary (counting, copying), ThanoRA, 12 steps with a checkpoint every 2.
// `overrides` replace top-level fields of thanora.json, except `training` and `method`, which are merged in.
import * as fs from 'fs';
import * as path from 'path';

const root = path.resolve(__dirname, '../../..');
export const TOTAL_STEPS = 12;

export function writeTinyExperiment(dir: string, overrides: { training?: object; method?: object; [field: string]: unknown } = {}): string {
  const { training, method, ...fields } = overrides;
  const line = (ids: number[], promptLength: number) => JSON.stringify({ input_ids: ids, labels: ids.map((v, i) => (i < promptLength ? -100 : v)) });
  const count = (start: number) => Array.from({ length: 10 }, (_, i) => 5 + ((start + i) % 40));
  const copy = (k: number) => {
    const half = Array.from({ length: 5 }, (_, i) => 50 + ((k * 7 + i * 3) % 40));
    return [...half, 1, ...half];
  };
  fs.mkdirSync(path.join(dir, 'data'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'data/count.jsonl'), Array.from({ length: 24 }, (_, k) => line(count(k), 3)).join('\n') + '\n');
  fs.writeFileSync(path.join(dir, 'data/copy.jsonl'), Array.from({ length: 24 }, (_, k) => line(copy(k), 6)).join('\n') + '\n');
  const file = path.join(dir, 'thanora.json');
  fs.writeFileSync(
    file,
    JSON.stringify({
      baseModel: path.join(root, 'test/fixtures/tiny-llama/model.onnx'),
      tokenizer: 'bytes',
      tasks: [
        { name: 'count', train: 'data/count.jsonl', eval: 'data/count.jsonl' },
        { name: 'copy', train: 'data/copy.jsonl', eval: 'data/copy.jsonl' },
      ],
      lora: { targets: ['q_proj', 'v_proj', 'down_proj'], r: 6, alpha: 12 },
      method: { name: 'thanora', previewSamples: 8, lambda: 0.01, ...method },
      training: { steps: TOTAL_STEPS, batchSize: 4, seqLength: 16, lr: 0.01, warmupSteps: 1, evalEvery: 0, checkpointEvery: 2, seed: 3, ...training },
      device: 'cpu',
      threads: 1,
      output: 'runs',
      ...fields,
    }, null, 2),
  );
  return file;
}

