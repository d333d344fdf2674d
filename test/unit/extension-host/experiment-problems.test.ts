import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DataLoadError } from '../../../src/core/data/data-errors';
import { errorLocations, experimentProblems, firstLocation, suggestedReplacement } from '../../../src/training/experiment-problems';

describe('experimentProblems (the Problems panel of thanora.json)', () => {
  let dir: string;
  let file: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'thanora-problems-'));
    file = path.join(dir, 'thanora.json');
    fs.writeFileSync(path.join(dir, 'model.onnx'), '');
    for (const name of ['a.train.jsonl', 'a.eval.jsonl', 'b.train.jsonl', 'b.eval.jsonl']) fs.writeFileSync(path.join(dir, name), '{"text": "x"}\n');
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const experiment = (extra: Record<string, unknown>) =>
    JSON.stringify({ baseModel: 'model.onnx', tokenizer: 'bytes', tasks: ['a', 'b'].map((n) => ({ name: n, train: `${n}.train.jsonl`, eval: `${n}.eval.jsonl` })), ...extra }, null, 2);

  it('a valid experiment has none', () => {
    assert.deepStrictEqual(experimentProblems(experiment({}), file), []);
  });

  it('puts each problem at its field (0-based line and column) with the fix in the message', () => {
    const text = experiment({ method: 'lora', training: { lr: -1 } });
    const lines = text.split('\n');
    const problems = experimentProblems(text, file);
    const method = problems.find((p) => p.pointer === '/method')!;
    const line = lines.findIndex((l) => l.includes('"method"'));
    assert.deepStrictEqual([method.line, method.column], [line, lines[line].indexOf('"lora"')]);
    assert.match(method.message, /^\/method: must be an object.*did you mean \{"name": "lora"\}\?$/);
    assert.ok(problems.some((p) => p.pointer === '/training/lr'), 'every problem at once');
  });

  it('invalid JSON is one problem where the text breaks', () => {
    const problems = experimentProblems('{\n  "baseModel": "m.onnx",\n  "tasks": [\n}', file);
    assert.strictEqual(problems.length, 1);
    assert.strictEqual(problems[0].line, 3);
    assert.match(problems[0].message, /invalid JSON/);
  });
});

describe('firstLocation', () => {
  it('finds the first file:line:column of an error message', () => {
    assert.deepStrictEqual(firstLocation('1 problem in /w/thanora.json:\n  /w/thanora.json:12:15: /method: must be an object'), { file: '/w/thanora.json', line: 12, column: 15, message: '/method: must be an object' });
    assert.deepStrictEqual(firstLocation('/w/data/a.train.jsonl:3:1: not JSON'), { file: '/w/data/a.train.jsonl', line: 3, column: 1, message: 'not JSON' });
    assert.strictEqual(firstLocation('training worker was killed (SIGKILL)'), undefined);
  });
});

describe('errorLocations (a failed run\'s problems in the Problems panel)', () => {
  it('finds every data line a DataLoadError names, without a column, with its message', () => {
    const error = new DataLoadError([
      { file: '/w/data/a.train.jsonl', line: 3, task: 'a', message: 'not JSON: Unexpected token' },
      { file: '/w/data/b.train.jsonl', line: 7, task: 'b', message: 'missing "answer"' },
      { file: '/w/data/c.train.jsonl', message: 'file not found' },
    ], 3);
    assert.deepStrictEqual(errorLocations(error.message), [
      { file: '/w/data/a.train.jsonl', line: 3, column: 1, message: '(task "a"): not JSON: Unexpected token' },
      { file: '/w/data/b.train.jsonl', line: 7, column: 1, message: '(task "b"): missing "answer"' },
    ]);
    assert.deepStrictEqual(firstLocation(error.message)?.line, 3, 'the failure toast offers Open at the first one');
  });
});

describe('suggestedReplacement (the quick fix of a "did you mean")', () => {
  it('takes the suggested word or object, and nothing from a message without one', () => {
    assert.strictEqual(suggestedReplacement('/method: must be an object (got "lora"); did you mean {"name": "lora"}?'), '{"name": "lora"}');
    assert.strictEqual(suggestedReplacement('/training/lrr: unknown field "lrr" (did you mean "lr"?); allowed here: steps'), '"lr"');
    assert.strictEqual(suggestedReplacement('/lora/r: must be an integer ≥ 1 (got 0)'), undefined);
  });
});
