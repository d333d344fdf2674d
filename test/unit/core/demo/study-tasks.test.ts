import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { ByteTokenizer } from '../../../../src/core/data/byte-tokenizer';
import { buildExample } from '../../../../src/core/data/example-formats';
import { DEMO_DATA_DEFAULTS, DEMO_TASKS, generateDemoSplits, toJsonl } from '../../../../src/core/demo/demo-tasks';
import { STUDY_TASKS } from '../../../../src/core/demo/study-tasks';
import { loadExperiment } from '../../../../src/core/experiment/load-experiment';

const studyDir = path.resolve(__dirname, '../../../../../examples/study');
const task = (name: string) => STUDY_TASKS.find((t) => t.name === name)!;
const instruction = (prompt: string) => prompt.slice(0, prompt.indexOf(':'));

describe('study tasks (the second suite of docs/study.md)', () => {
  it('are four tasks whose completions are right', () => {
    assert.deepStrictEqual(STUDY_TASKS.map((t) => t.name), ['stutter', 'skip', 'sub', 'digitsum']);
    for (const e of generateDemoSplits(task('stutter'), 4, 50, 10).train) {
      const s = e.prompt.slice('stutter: '.length, -1);
      assert.match(s, /^[a-z]{3,6}$/);
      assert.strictEqual(e.completion.length, 2 * s.length);
      [...s].forEach((c, i) => assert.strictEqual(e.completion.slice(2 * i, 2 * i + 2), c + c, e.prompt));
    }
    for (const e of generateDemoSplits(task('skip'), 4, 50, 10).train) {
      const s = e.prompt.slice('skip: '.length, -1);
      assert.match(s, /^[a-z]{4,8}$/);
      assert.strictEqual(e.completion.length, Math.ceil(s.length / 2));
      [...e.completion].forEach((c, i) => assert.strictEqual(c, s[2 * i], e.prompt));
    }
    for (const e of generateDemoSplits(task('sub'), 4, 50, 10).train) {
      const m = /^sub: (\d{1,2})-(\d{1,2})\n$/.exec(e.prompt);
      assert.ok(m, e.prompt);
      assert.ok(Number(m[1]) >= Number(m[2]), e.prompt);
      assert.strictEqual(Number(e.completion), Number(m[1]) - Number(m[2]));
    }
    for (const e of generateDemoSplits(task('digitsum'), 4, 50, 10).train) {
      const m = /^digitsum: (\d{3,5})\n$/.exec(e.prompt);
      assert.ok(m, e.prompt);
      assert.strictEqual(e.completion, String([...m[1]].map(Number).reduce((a, b) => a + b)));
    }
  });

  it('share no instruction with the demo suite, are deterministic, and keep eval prompts out of train', () => {
    const demo = new Set(DEMO_TASKS.map((t) => instruction(generateDemoSplits(t, 1, 1, 1).train[0].prompt)));
    for (const t of STUDY_TASKS) {
      const a = generateDemoSplits(t, 9, 300, 50);
      assert.ok(!demo.has(instruction(a.train[0].prompt)), `${t.name} reuses a demo instruction`);
      assert.deepStrictEqual(generateDemoSplits(t, 9, 300, 50), a);
      const trainPrompts = new Set(a.train.map((e) => e.prompt));
      assert.ok(a.eval.every((e) => !trainPrompts.has(e.prompt)), `${t.name}: an eval prompt is also in train`);
    }
  });

  it('fit in 64 byte tokens with BOS and EOS', () => {
    const tokenizer = new ByteTokenizer();
    for (const t of STUDY_TASKS) {
      for (const e of generateDemoSplits(t, 1, 200, 20).train) {
        const built = buildExample({ ...e }, 'prompt_completion', 1, { tokenizer, seqLength: 64 });
        assert.strictEqual(built.status, 'ok');
        if (built.status === 'ok') assert.strictEqual(built.truncatedFrom, undefined);
      }
    }
  });

  it('are what examples/study/data holds (make-demo-data --suite study re-creates the files byte for byte)', () => {
    const { seed, trainCount, evalCount } = DEMO_DATA_DEFAULTS;
    for (const t of STUDY_TASKS) {
      const splits = generateDemoSplits(t, seed, trainCount, evalCount);
      for (const split of ['train', 'eval'] as const) {
        const file = path.join(studyDir, 'data', `${t.name}.${split}.jsonl`);
        assert.strictEqual(fs.readFileSync(file, 'utf8'), toJsonl(splits[split]), `${file} differs from the generator; run node out/src/demo-tools/make-demo-data.js --suite study`);
      }
    }
  });

  it('examples/study/thanora.json loads its four tasks on the demo model', () => {
    const config = loadExperiment(path.join(studyDir, 'thanora.json'));
    assert.deepStrictEqual(config.tasks.map((t) => t.name), STUDY_TASKS.map((t) => t.name));
    assert.strictEqual(config.baseModel, path.resolve(studyDir, '../demo/model.onnx'));
  });
});
