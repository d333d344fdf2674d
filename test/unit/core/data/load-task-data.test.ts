import * as assert from 'assert';
import { ByteTokenizer } from '../../../../src/core/data/byte-tokenizer';
import { DataLoadError, IssueCollector } from '../../../../src/core/data/data-errors';
import { readJsonlFile } from '../../../../src/core/data/jsonl-reader';
import { loadTaskData, TaskDataSource } from '../../../../src/core/data/load-task-data';
import { makeTempFolder, TempFolder } from './temp-files';

const tokenizer = new ByteTokenizer();

function loadError(run: () => unknown): DataLoadError {
  try {
    run();
  } catch (e) {
    if (e instanceof DataLoadError) return e;
    throw e;
  }
  assert.fail('expected a DataLoadError');
}

describe('readJsonlFile', () => {
  let temp: TempFolder;
  beforeEach(() => (temp = makeTempFolder()));
  afterEach(() => temp.remove());

  it('reads objects with their line numbers, skipping blank lines and CRLF endings', () => {
    const file = temp.write('a.jsonl', '\uFEFF{"a": 1}\r\n\r\n{"a": 2}\r\n');
    const issues = new IssueCollector();
    assert.deepStrictEqual([...readJsonlFile(file, issues)], [{ line: 1, value: { a: 1 } }, { line: 3, value: { a: 2 } }]);
    assert.strictEqual(issues.total, 0);
  });

  it('reports bad JSON and non-object lines at file:line and keeps reading', () => {
    const file = temp.write('b.jsonl', '{"a": 1}\n{"a": }\n[1, 2]\n{"a": 4}\n');
    const issues = new IssueCollector();
    assert.deepStrictEqual([...readJsonlFile(file, issues, 'qa')].map((r) => r.line), [1, 4]);
    const error = loadError(() => issues.throwIfAny());
    assert.deepStrictEqual(error.issues.map((i) => [i.line, i.task]), [[2, 'qa'], [3, 'qa']]);
    assert.match(error.issues[0].message, /invalid JSON at column 7: unexpected character '}'/);
    assert.match(error.issues[1].message, /expected a JSON object per line, got an array/);
    assert.match(error.message, new RegExp(`${file.replace(/[.\\/]/g, '\\$&')}:2 \\(task "qa"\\): invalid JSON`));
  });

  it('reports a missing or empty file', () => {
    const issues = new IssueCollector();
    [...readJsonlFile(`${temp.dir}/nope.jsonl`, issues)];
    [...readJsonlFile(temp.write('empty.jsonl', '\n\n'), issues)];
    const error = loadError(() => issues.throwIfAny());
    assert.deepStrictEqual(error.issues.map((i) => i.message), ['file not found', 'the file has no examples (it is empty)']);
  });
});

describe('loadTaskData', () => {
  let temp: TempFolder;
  beforeEach(() => (temp = makeTempFolder()));
  afterEach(() => temp.remove());

  const task = (name: string, train: string, evalFile: string, extra: Partial<TaskDataSource> = {}): TaskDataSource => ({
    name,
    train: `${temp.dir}/${train}`,
    eval: `${temp.dir}/${evalFile}`,
    format: 'auto',
    ...extra,
  });

  it('loads every task, detecting formats, and reports truncation per split', () => {
    temp.writeJsonl('a.train.jsonl', [{ prompt: 'Q', completion: 'short' }, { prompt: 'Q', completion: 'x'.repeat(40) }]);
    temp.writeJsonl('a.eval.jsonl', [{ prompt: 'Q', completion: 'ok' }]);
    temp.writeJsonl('b.train.jsonl', [{ input_ids: [5, 6, 7], labels: [-100, 6, 7] }]);
    temp.writeJsonl('b.eval.jsonl', [{ input_ids: [5, 6] }]);
    const data = loadTaskData([task('a', 'a.train.jsonl', 'a.eval.jsonl'), task('b', 'b.train.jsonl', 'b.eval.jsonl')], tokenizer, { seqLength: 16 });
    assert.strictEqual(data.objective, 'causal_lm');
    assert.deepStrictEqual(data.tasks.map((t) => [t.name, t.format, t.train.length, t.eval.length]), [['a', 'prompt_completion', 2, 1], ['b', 'pretokenized', 1, 1]]);
    // BOS + "Q" + completion bytes + EOS: "short" → 8 tokens; 40 bytes → 43 before truncation, 16 kept.
    // In the loss: "short" + EOS (6) and the 14 completion tokens left after truncation; 43 − 16 = 27 tokens cut.
    assert.deepStrictEqual(data.tasks[0].report.train, {
      examples: 2,
      tokens: 8 + 16,
      lossTokens: 6 + 14,
      truncated: 1,
      truncatedTokens: 27,
      longest: 43,
      dropped: 0,
      dropReasons: [],
    });
    assert.deepStrictEqual(data.notes, ['task "a" train: 1 of 2 examples truncated to seqLength 16 (longest 43 tokens)']);
    assert.deepStrictEqual(data.summary, [
      'data: task "a" train: 2 prompt_completion examples, 24 tokens (20 in the loss), 1 truncated to seqLength 16 (27 tokens cut)',
      'data: task "a" eval: 1 prompt_completion examples, 5 tokens (3 in the loss), none truncated',
      'data: task "b" train: 1 pretokenized examples, 3 tokens (2 in the loss), none truncated',
      'data: task "b" eval: 1 pretokenized examples, 2 tokens (1 in the loss), none truncated',
    ]);
  });

  it('collects the problems of all tasks and files before failing', () => {
    temp.write('a.train.jsonl', '{"prompt": "p", "completion": "c"}\n{"prompt": "p"}\nnot json\n');
    temp.writeJsonl('a.eval.jsonl', [{ prompt: 'p', completion: 'c' }]);
    temp.writeJsonl('b.train.jsonl', [{ prompt: 1, completion: 'c' }]);
    const error = loadError(() =>
      loadTaskData([task('a', 'a.train.jsonl', 'a.eval.jsonl'), task('b', 'b.train.jsonl', 'missing.jsonl')], tokenizer, { seqLength: 16 }),
    );
    const where = error.issues.map((i) => `${i.task}:${i.file.slice(temp.dir.length + 1)}:${i.line ?? '-'}`);
    assert.deepStrictEqual(where, ['a:a.train.jsonl:2', 'a:a.train.jsonl:3', 'b:b.train.jsonl:1', 'b:missing.jsonl:-']);
    assert.match(error.issues[0].message, /missing "completion" .*detected from line 1/);
    assert.match(error.issues[1].message, /invalid JSON/);
    assert.match(error.issues[2].message, /"prompt" must be a string, got 1/);
    assert.match(error.message, /^4 problems in the task data:/);
  });

  it('keeps at most maxErrors issues and counts the rest', () => {
    temp.write('bad.jsonl', 'x\n'.repeat(30));
    temp.writeJsonl('ok.jsonl', [{ prompt: 'p', completion: 'c' }]);
    const error = loadError(() => loadTaskData([task('a', 'bad.jsonl', 'ok.jsonl')], tokenizer, { seqLength: 16, maxErrors: 5 }));
    assert.strictEqual(error.issues.length, 5);
    assert.strictEqual(error.totalIssues, 30);
    assert.match(error.message, /… and 25 more$/);
  });

  it('refuses tasks that train different heads', () => {
    temp.writeJsonl('lm.jsonl', [{ prompt: 'p', completion: 'c' }]);
    temp.writeJsonl('cls.jsonl', [{ text: 't', label: 0 }]);
    const error = loadError(() => loadTaskData([task('gen', 'lm.jsonl', 'lm.jsonl'), task('sent', 'cls.jsonl', 'cls.jsonl')], tokenizer, { seqLength: 16 }));
    assert.match(error.issues[0].message, /holds classification examples \(classification\) but task "gen" train holds causal_lm examples/);
  });

  it('honours an explicit format and fails a split whose examples were all dropped', () => {
    temp.writeJsonl('long.jsonl', [{ prompt: 'a very long prompt', completion: 'c' }]);
    temp.writeJsonl('ok.jsonl', [{ prompt: 'p', completion: 'c' }]);
    const error = loadError(() => loadTaskData([task('a', 'long.jsonl', 'ok.jsonl', { format: 'classification' })], tokenizer, { seqLength: 4 }));
    assert.match(error.issues[0].message, /missing "text" and "label" .*the task's format is classification/);
    const dropped = loadError(() => loadTaskData([task('a', 'long.jsonl', 'ok.jsonl')], tokenizer, { seqLength: 4 }));
    assert.match(dropped.issues[0].message, /no usable examples: all 1 were dropped, e\.g\. .*long\.jsonl:1: the prompt alone has 19 tokens/);
  });
});
