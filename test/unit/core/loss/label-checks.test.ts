import * as assert from 'assert';
import * as ort from 'onnxruntime-node';
import { checkCausalLmBatch, checkSequenceClassificationBatch } from '../../../../src/core/loss/label-checks';

const ids = [
  [5, 6, 7, 8],
  [1, 2, 3, 4],
];
const mask = [
  [1, 1, 1, 1],
  [1, 1, 1, 0],
];

describe('checkCausalLmBatch', () => {
  it('accepts a valid batch and counts the predicted tokens (labels[:, 1:] not −100)', () => {
    const labels = [
      [5, 6, 7, 8],
      [-100, -100, 3, -100],
    ];
    assert.deepStrictEqual(checkCausalLmBatch({ inputIds: ids, attentionMask: mask, labels }, { vocabSize: 10 }), { countedTokens: 4 });
  });

  it('accepts onnxruntime tensors (dims + bigint data)', () => {
    const t = (rows: number[][]) => new ort.Tensor('int64', BigInt64Array.from(rows.flat().map(BigInt)), [rows.length, rows[0].length]);
    assert.deepStrictEqual(checkCausalLmBatch({ inputIds: t(ids), attentionMask: t(mask), labels: t(ids) }, { vocabSize: 10 }), { countedTokens: 6 });
  });

  it('names row, column, value and vocabulary size of an out-of-range label', () => {
    const labels = [
      [5, 6, 7, 8],
      [1, 2, 10, 4],
    ];
    assert.throws(
      () => checkCausalLmBatch({ inputIds: ids, labels }, { vocabSize: 10 }),
      (e: Error) => e.name === 'LabelCheckError' && /labels\[1\]\[2\] = 10 is neither a token id in \[0, 10\) nor the ignore index -100/.test(e.message),
    );
    assert.throws(() => checkCausalLmBatch({ inputIds: ids, labels: [[5, 6, 7, -1], [1, 2, 3, 4]] }, { vocabSize: 10 }), /labels\[0\]\[3\] = -1/);
  });

  it('refuses a batch where no token is counted, explaining the shift', () => {
    // Only labels[:, 0] is set, and it is never predicted.
    const labels = [
      [5, -100, -100, -100],
      [1, -100, -100, -100],
    ];
    assert.throws(() => checkCausalLmBatch({ inputIds: ids, labels }, { vocabSize: 10 }), /no token .* is counted.*labels\[:, 0\] is never predicted.*NaN/);
  });

  it('names both shapes when input_ids, attention_mask and labels disagree', () => {
    assert.throws(
      () => checkCausalLmBatch({ inputIds: ids, labels: [[5, 6, 7], [1, 2, 3]] }, { vocabSize: 10 }),
      /labels has shape \[2, 3\] but input_ids has shape \[2, 4\]/,
    );
    assert.throws(
      () => checkCausalLmBatch({ inputIds: ids, attentionMask: [[1, 1, 1, 1]], labels: ids }, { vocabSize: 10 }),
      /attention_mask has shape \[1, 4\] but input_ids has shape \[2, 4\]/,
    );
    assert.throws(() => checkCausalLmBatch({ inputIds: [[1, 2], [3]], labels: ids }, { vocabSize: 10 }), /input_ids is ragged: row 1 has 1 entries/);
  });

  it('checks task ids against the batch size and task count', () => {
    assert.throws(() => checkCausalLmBatch({ inputIds: ids, labels: ids, taskIds: [0] }, { vocabSize: 10 }), /task_ids has shape \[1\], expected \[2\]/);
    assert.throws(() => checkCausalLmBatch({ inputIds: ids, labels: ids, taskIds: [0, 3] }, { vocabSize: 10, taskCount: 3 }), /task_ids\[1\] = 3 is not a task id in \[0, 3\)/);
  });
});

describe('checkSequenceClassificationBatch', () => {
  it('accepts class ids and −100, counting the rows', () => {
    assert.deepStrictEqual(checkSequenceClassificationBatch({ inputIds: ids, attentionMask: mask, labels: [2, -100] }, { classCount: 3 }), { countedRows: 1 });
  });

  it('names the row, value and class count of an out-of-range label', () => {
    assert.throws(() => checkSequenceClassificationBatch({ inputIds: ids, labels: [0, 3] }, { classCount: 3 }), /labels\[1\] = 3 is neither a class in \[0, 3\)/);
  });

  it('refuses all-ignored labels and labels not shaped [batch]', () => {
    assert.throws(() => checkSequenceClassificationBatch({ inputIds: ids, labels: [-100, -100] }, { classCount: 3 }), /no row .* is counted.*NaN/);
    assert.throws(() => checkSequenceClassificationBatch({ inputIds: ids, labels: [0, 1, 2] }, { classCount: 3 }), /labels has shape \[3\] but input_ids has shape \[2, 4\]/);
  });
});
