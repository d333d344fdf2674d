// Batches of tokenized examples as flat row-major Int32Arrays, ready for int64 ONNX inputs
// (int64Tensor(batch.inputIds, [batch.batchSize, batch.seqLength])). Padding is on the right.
//   inputIds       (B, L)  pad id after the last token
//   attentionMask  (B, L)  1 on tokens, 0 on padding
//   labels         causal_lm: (B, L), −100 on prompt tokens and padding; classification: (B) class indices
//   taskIndex      (B)     which task each row came from, for per-task losses
// L is the longest example in the batch ('longest') or seqLength ('fixed'; a static shape some graphs prefer).
import { IGNORE_INDEX, ObjectiveKind, TokenizedExample } from './example-formats';

export interface BatchItem {
  example: TokenizedExample;
  task: number;
}

export interface Batch {
  objective: ObjectiveKind;
  batchSize: number;
  seqLength: number;
  inputIds: Int32Array;
  attentionMask: Int32Array;
  labels: Int32Array;
  taskIndex: Int32Array;
}

export type PaddingMode = 'longest' | 'fixed';

export interface CollateOptions {
  padding: PaddingMode;
  seqLength: number;
  padId: number;
}

export function collateBatch(items: readonly BatchItem[], options: CollateOptions): Batch {
  if (items.length === 0) throw new Error('collateBatch: no examples to batch');
  const objective = items[0].example.kind;
  let longest = 0;
  for (const { example } of items) {
    if (example.kind !== objective) throw new Error(`collateBatch: a batch mixes ${objective} and ${example.kind} examples; all tasks must share one objective`);
    if (example.inputIds.length > options.seqLength) {
      throw new Error(`collateBatch: example from line ${example.line} has ${example.inputIds.length} tokens, more than seqLength ${options.seqLength}; truncate when loading`);
    }
    longest = Math.max(longest, example.inputIds.length);
  }
  const batchSize = items.length;
  const seqLength = options.padding === 'fixed' ? options.seqLength : longest;
  const inputIds = new Int32Array(batchSize * seqLength).fill(options.padId);
  const attentionMask = new Int32Array(batchSize * seqLength);
  const labels = objective === 'causal_lm' ? new Int32Array(batchSize * seqLength).fill(IGNORE_INDEX) : new Int32Array(batchSize);
  const taskIndex = new Int32Array(batchSize);
  items.forEach(({ example, task }, row) => {
    const offset = row * seqLength;
    inputIds.set(example.inputIds, offset);
    attentionMask.fill(1, offset, offset + example.inputIds.length);
    if (example.kind === 'causal_lm') labels.set(example.labels, offset);
    else labels[row] = example.label;
    taskIndex[row] = task;
  });
  return { objective, batchSize, seqLength, inputIds, attentionMask, labels, taskIndex };
}

/** Consecutive batches over one list (evaluation: every example once, in file order, last batch smaller). */
export function* sequentialBatches(examples: readonly TokenizedExample[], task: number, batchSize: number, options: CollateOptions): Generator<Batch> {
  for (let start = 0; start < examples.length; start += batchSize) {
    const items = examples.slice(start, start + batchSize).map((example) => ({ example, task }));
    yield collateBatch(items, options);
  }
}
