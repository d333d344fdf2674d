import * as assert from 'assert';
import { ByteTokenizer } from '../../../../src/core/data/byte-tokenizer';
import { buildExample, BuildOutcome, detectFormat, ExampleContext, IGNORE_INDEX } from '../../../../src/core/data/example-formats';

const tokenizer = new ByteTokenizer();
const ctx = (extra: Partial<ExampleContext> = {}): ExampleContext => ({ tokenizer, seqLength: 64, ...extra });
const bytes = (text: string) => [...Buffer.from(text)].map((b) => b + 3);

function ok(outcome: BuildOutcome) {
  assert.strictEqual(outcome.status, 'ok', JSON.stringify(outcome));
  return outcome as Extract<BuildOutcome, { status: 'ok' }>;
}

function errorOf(outcome: BuildOutcome): string {
  assert.strictEqual(outcome.status, 'error', JSON.stringify(outcome));
  return (outcome as Extract<BuildOutcome, { status: 'error' }>).message;
}

describe('example formats', () => {
  it('detects the format from the keys', () => {
    assert.strictEqual(detectFormat({ prompt: 'a', completion: 'b', id: 3 }), 'prompt_completion');
    assert.strictEqual(detectFormat({ input_ids: [1], labels: [1] }), 'pretokenized');
    assert.strictEqual(detectFormat({ text: 'a', label: 0 }), 'classification');
    assert.strictEqual(detectFormat({ text: 'a' }), undefined);
  });

  it('prompt/completion: BOS + prompt + completion + EOS, loss on the completion and EOS only', () => {
    const { example, truncatedFrom } = ok(buildExample({ prompt: 'Q:', completion: 'ab' }, 'prompt_completion', 4, ctx()));
    assert.strictEqual(example.kind, 'causal_lm');
    if (example.kind !== 'causal_lm') return;
    assert.deepStrictEqual([...example.inputIds], [1, ...bytes('Q:'), ...bytes('ab'), 2]);
    assert.deepStrictEqual([...example.labels], [IGNORE_INDEX, IGNORE_INDEX, IGNORE_INDEX, ...bytes('ab'), 2]);
    assert.strictEqual(example.line, 4);
    assert.strictEqual(truncatedFrom, undefined);
  });

  it('truncates from the right to seqLength and says from how long', () => {
    const { example, truncatedFrom } = ok(buildExample({ prompt: 'Q', completion: 'abcdef' }, 'prompt_completion', 1, ctx({ seqLength: 5 })));
    assert.strictEqual(truncatedFrom, 9);
    assert.strictEqual(example.inputIds.length, 5);
  });

  it('drops an example whose prompt fills seqLength, with the reason', () => {
    const outcome = buildExample({ prompt: 'a long prompt', completion: 'x' }, 'prompt_completion', 1, ctx({ seqLength: 6 }));
    assert.strictEqual(outcome.status, 'dropped');
    assert.match((outcome as { reason: string }).reason, /prompt alone has 14 tokens.*seqLength 6/);
  });

  it('pre-tokenized: labels default to input_ids, −100 is allowed in labels', () => {
    const plain = ok(buildExample({ input_ids: [5, 6, 7] }, 'pretokenized', 1, ctx())).example;
    assert.deepStrictEqual(plain.kind === 'causal_lm' && [...plain.labels], [5, 6, 7]);
    const masked = ok(buildExample({ input_ids: [5, 6, 7], labels: [-100, -100, 7] }, 'pretokenized', 1, ctx())).example;
    assert.deepStrictEqual(masked.kind === 'causal_lm' && [...masked.labels], [-100, -100, 7]);
  });

  it('pre-tokenized: rejects misaligned labels, negative or out-of-vocabulary ids', () => {
    assert.match(errorOf(buildExample({ input_ids: [1, 2], labels: [1] }, 'pretokenized', 1, ctx())), /"labels" has 1 entries but "input_ids" has 2/);
    assert.match(errorOf(buildExample({ input_ids: [1, -2] }, 'pretokenized', 1, ctx())), /input_ids\[1\] = -2 is negative/);
    assert.match(errorOf(buildExample({ input_ids: [1, 2], labels: [1, -5] }, 'pretokenized', 1, ctx())), /labels\[1\] = -5 is negative \(only -100/);
    assert.match(errorOf(buildExample({ input_ids: [1, 300] }, 'pretokenized', 1, ctx({ vocabLimit: 259 }))), /input_ids\[1\] = 300 is outside the vocabulary \(ids must be < 259\)/);
    assert.match(errorOf(buildExample({ input_ids: [1.5] }, 'pretokenized', 1, ctx())), /non-empty array of integers/);
  });

  it('pre-tokenized: drops an example with nothing to predict (label 0 is never predicted)', () => {
    assert.strictEqual(buildExample({ input_ids: [1, 2], labels: [2, -100] }, 'pretokenized', 1, ctx()).status, 'dropped');
  });

  it('classification: integer labels, or class names from the task', () => {
    const byIndex = ok(buildExample({ text: 'hi', label: 2 }, 'classification', 1, ctx())).example;
    assert.deepStrictEqual(byIndex.kind === 'classification' && [[...byIndex.inputIds], byIndex.label], [[1, ...bytes('hi')], 2]);
    const byName = ok(buildExample({ text: 'hi', label: 'pos' }, 'classification', 1, ctx({ classNames: ['neg', 'pos'] }))).example;
    assert.strictEqual(byName.kind === 'classification' && byName.label, 1);
  });

  it('classification: explains bad labels', () => {
    assert.match(errorOf(buildExample({ text: 'hi', label: 'pos' }, 'classification', 1, ctx())), /list the class names in the task's "labels"/);
    assert.match(errorOf(buildExample({ text: 'hi', label: 'meh' }, 'classification', 1, ctx({ classNames: ['neg', 'pos'] }))), /not one of the task's labels: "neg", "pos"/);
    assert.match(errorOf(buildExample({ text: 'hi', label: 2 }, 'classification', 1, ctx({ classNames: ['neg', 'pos'] }))), /out of range: the task has 2 labels \(0 … 1\)/);
    assert.match(errorOf(buildExample({ text: 'hi', label: -1 }, 'classification', 1, ctx())), /integer ≥ 0 or a class name/);
  });

  it('names missing keys and wrong types', () => {
    assert.match(errorOf(buildExample({ prompt: 'a' }, 'prompt_completion', 1, ctx())), /missing "completion"/);
    assert.match(errorOf(buildExample({ prompt: 1, completion: 'b' }, 'prompt_completion', 1, ctx())), /"prompt" must be a string, got 1/);
    assert.match(errorOf(buildExample({ text: 'x' }, 'classification', 1, ctx())), /missing "label"/);
  });
});
