import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { ByteTokenizer } from '../../../../src/core/data/byte-tokenizer';
import { buildExample } from '../../../../src/core/data/example-formats';
import { DEMO_DATA_DEFAULTS, DEMO_TASKS, generateDemoSplits, toJsonl } from '../../../../src/core/demo/demo-tasks';
import { loadExperiment } from '../../../../src/core/experiment/load-experiment';

const demoDir = path.resolve(__dirname, '../../../../../examples/demo');
const task = (name: string) => DEMO_TASKS.find((t) => t.name === name)!;

describe('demo tasks', () => {
  it('are four tasks of rising complexity whose completions are right', () => {
    assert.deepStrictEqual(DEMO_TASKS.map((t) => t.name), ['copy', 'reverse', 'sort', 'add']);
    const { train } = generateDemoSplits(task('copy'), 4, 50, 10);
    for (const e of train) assert.strictEqual(`copy: ${e.completion}\n`, e.prompt);
    for (const e of generateDemoSplits(task('reverse'), 4, 50, 10).train) {
      assert.strictEqual(e.prompt, `reverse: ${[...e.completion].reverse().join('')}\n`);
    }
    for (const e of generateDemoSplits(task('sort'), 4, 50, 10).train) {
      const digits = e.prompt.slice('sort: '.length, -1);
      assert.match(digits, /^[0-9]{4,7}$/);
      assert.strictEqual(e.completion, [...digits].sort().join(''));
    }
    for (const e of generateDemoSplits(task('add'), 4, 50, 10).train) {
      const m = /^add: (\d{1,2})\+(\d{1,2})\n$/.exec(e.prompt);
      assert.ok(m, e.prompt);
      assert.strictEqual(Number(e.completion), Number(m[1]) + Number(m[2]));
    }
  });

  it('are deterministic from the seed, and eval prompts never appear in train', () => {
    for (const t of DEMO_TASKS) {
      const a = generateDemoSplits(t, 9, 300, 50);
      assert.deepStrictEqual(generateDemoSplits(t, 9, 300, 50), a);
      assert.notDeepStrictEqual(generateDemoSplits(t, 10, 300, 50).train, a.train);
      const trainPrompts = new Set(a.train.map((e) => e.prompt));
      assert.strictEqual(trainPrompts.size, 300);
      assert.ok(a.eval.every((e) => !trainPrompts.has(e.prompt)), `${t.name}: an eval prompt is also in train`);
    }
  });

  it('fit in 64 byte tokens with BOS and EOS, with the loss on the completion only', () => {
    const tokenizer = new ByteTokenizer();
    for (const t of DEMO_TASKS) {
      for (const e of generateDemoSplits(t, 1, 200, 20).train) {
        const built = buildExample({ ...e }, 'prompt_completion', 1, { tokenizer, seqLength: 64 });
        assert.strictEqual(built.status, 'ok');
        if (built.status !== 'ok' || built.example.kind !== 'causal_lm') continue;
        assert.strictEqual(built.truncatedFrom, undefined);
        const counted = built.example.labels.filter((l) => l !== -100).length;
        assert.strictEqual(counted, Buffer.byteLength(e.completion) + 1, `${t.name}: completion bytes + EOS`);
      }
    }
  });

  it('are what examples/demo/data holds (make-demo-data re-creates the files byte for byte)', () => {
    const { seed, trainCount, evalCount } = DEMO_DATA_DEFAULTS;
    for (const t of DEMO_TASKS) {
      const splits = generateDemoSplits(t, seed, trainCount, evalCount);
      for (const split of ['train', 'eval'] as const) {
        const file = path.join(demoDir, 'data', `${t.name}.${split}.jsonl`);
        assert.strictEqual(fs.readFileSync(file, 'utf8'), toJsonl(splits[split]), `${file} differs from the generator; run node out/src/demo-tools/make-demo-data.js`);
      }
    }
  });

  it('examples/demo/thanora.json loads with all four tasks on the byte tokenizer', () => {
    const config = loadExperiment(path.join(demoDir, 'thanora.json'));
    assert.deepStrictEqual(config.tasks.map((t) => t.name), ['copy', 'reverse', 'sort', 'add']);
    assert.strictEqual(config.baseModel, path.join(demoDir, 'model.onnx'));
  });
});
