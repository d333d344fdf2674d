// Which tokens of a preview batch count toward the input covariances C_t of HASI (design §1 step 1:
// "padding and ignored tokens excluded"). A position counts when attention_mask = 1 and, for token labels
// [b, s], its label is not −100. For causal LM data in prompt/completion form this means the covariance is
// over completion tokens: the prompt tokens are labelled −100, so they are "ignored tokens" and the
// subspace is fitted to the inputs the adapter is trained to change. 'attended' counts every non-padding
// token instead (prompt included); class labels [b] never mask tokens.
import { Batch as CollatedBatch } from '../data/collate';
import { Batch } from '../io/batch-file';

export type PreviewTokens = 'labelled' | 'attended';

export const ignoreIndex = -100;

/** [b·s] 0/1 mask of the counted positions. */
export function previewTokenMask(batch: Batch, tokens: PreviewTokens = 'labelled'): Float32Array {
  const n = batch.batchSize * batch.seqLength;
  const mask = new Float32Array(n);
  const tokenLabels = tokens === 'labelled' && batch.labelsDims.length === 2;
  for (let i = 0; i < n; i++) {
    mask[i] = batch.attentionMask[i] === 1 && !(tokenLabels && batch.labels[i] === ignoreIndex) ? 1 : 0;
  }
  return mask;
}

/** The first `rows` rows of a batch (row-major arrays, so each field is a prefix). */
export function firstRows(batch: Batch, rows: number): Batch {
  if (rows >= batch.batchSize) return batch;
  const cells = rows * batch.seqLength;
  const tokenLabels = batch.labelsDims.length === 2;
  return {
    ...batch,
    batchSize: rows,
    inputIds: batch.inputIds.subarray(0, cells),
    attentionMask: batch.attentionMask.subarray(0, cells),
    labels: batch.labels.subarray(0, tokenLabels ? cells : rows),
    labelsDims: tokenLabels ? [rows, batch.seqLength] : [rows],
    taskIds: batch.taskIds?.subarray(0, rows),
  };
}

/** The first `samples` rows over a task's batches, in order. */
export function takeSamples(batches: readonly Batch[], samples: number): Batch[] {
  const out: Batch[] = [];
  let left = samples;
  for (const batch of batches) {
    if (left <= 0) break;
    out.push(firstRows(batch, left));
    left -= Math.min(left, batch.batchSize);
  }
  return out;
}

/** The data pipeline's batch (collate.ts) as the engine's batch (io/batch-file.ts). */
export function engineBatch(batch: CollatedBatch): Batch {
  return {
    batchSize: batch.batchSize,
    seqLength: batch.seqLength,
    inputIds: batch.inputIds,
    attentionMask: batch.attentionMask,
    hasAttentionMask: true,
    labels: batch.labels,
    labelsDims: batch.objective === 'causal_lm' ? [batch.batchSize, batch.seqLength] : [batch.batchSize],
    taskIds: batch.taskIndex,
  };
}
