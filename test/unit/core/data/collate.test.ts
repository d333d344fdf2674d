import * as assert from 'assert';
import { BatchItem, collateBatch, sequentialBatches } from '../../../../src/core/data/collate';
import { TokenizedExample } from '../../../../src/core/data/example-formats';

const lm = (ids: number[], labels: number[], line = 1): TokenizedExample => ({ kind: 'causal_lm', inputIds: Int32Array.from(ids), labels: Int32Array.from(labels), line });
const cls = (ids: number[], label: number): TokenizedExample => ({ kind: 'classification', inputIds: Int32Array.from(ids), label, line: 1 });

describe('collateBatch', () => {
  const items: BatchItem[] = [
    { example: lm([5, 6, 7], [-100, 6, 7]), task: 1 },
    { example: lm([8], [8]), task: 0 },
  ];

  it('pads on the right to the longest example with a zero mask and −100 labels', () => {
    const batch = collateBatch(items, { padding: 'longest', seqLength: 8, padId: 0 });
    assert.deepStrictEqual([batch.batchSize, batch.seqLength, batch.objective], [2, 3, 'causal_lm']);
    assert.deepStrictEqual([...batch.inputIds], [5, 6, 7, 8, 0, 0]);
    assert.deepStrictEqual([...batch.attentionMask], [1, 1, 1, 1, 0, 0]);
    assert.deepStrictEqual([...batch.labels], [-100, 6, 7, 8, -100, -100]);
    assert.deepStrictEqual([...batch.taskIndex], [1, 0]);
  });

  it('pads to seqLength with fixed padding, using the pad id', () => {
    const batch = collateBatch(items, { padding: 'fixed', seqLength: 4, padId: 9 });
    assert.strictEqual(batch.seqLength, 4);
    assert.deepStrictEqual([...batch.inputIds], [5, 6, 7, 9, 8, 9, 9, 9]);
    assert.deepStrictEqual([...batch.attentionMask], [1, 1, 1, 0, 1, 0, 0, 0]);
  });

  it('classification batches carry one label per row', () => {
    const batch = collateBatch([{ example: cls([1, 2], 2), task: 0 }, { example: cls([3], 0), task: 0 }], { padding: 'longest', seqLength: 8, padId: 0 });
    assert.deepStrictEqual([...batch.labels], [2, 0]);
    assert.deepStrictEqual([...batch.inputIds], [1, 2, 3, 0]);
  });

  it('refuses mixed objectives, over-long examples and empty batches', () => {
    const options = { padding: 'longest' as const, seqLength: 2, padId: 0 };
    assert.throws(() => collateBatch([{ example: lm([1], [1]), task: 0 }, { example: cls([1], 0), task: 1 }], options), /mixes causal_lm and classification/);
    assert.throws(() => collateBatch([{ example: lm([1, 2, 3], [1, 2, 3], 7), task: 0 }], options), /line 7 has 3 tokens, more than seqLength 2/);
    assert.throws(() => collateBatch([], options), /no examples/);
  });

  it('sequentialBatches covers every example once, the last batch smaller', () => {
    const examples = [1, 2, 3, 4, 5].map((v) => lm([v], [v]));
    const batches = [...sequentialBatches(examples, 3, 2, { padding: 'longest', seqLength: 4, padId: 0 })];
    assert.deepStrictEqual(batches.map((b) => [...b.inputIds]), [[1, 2], [3, 4], [5]]);
    assert.deepStrictEqual([...batches[2].taskIndex], [3]);
  });
});
