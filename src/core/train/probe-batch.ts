// The small batch the shape probe runs on: at least 2 rows and 4 positions, so no dynamic dim is 1
// (GradContext.unbroadcast tells broadcasts apart by size-1 dims) and logits[:, :-1] stays wider than 1.
import { Batch } from '../io/batch-file';

const PROBE_ROWS = 2;
const PROBE_POSITIONS = 6;

export function makeProbeBatch(batch: Batch): Batch {
  const s = Math.min(batch.seqLength, PROBE_POSITIONS);
  if (s < 4 && batch.seqLength < 4) {
    throw new Error(`sequences of ${batch.seqLength} tokens are too short to train on; use at least 4`);
  }
  const rows = PROBE_ROWS;
  const pick = (src: Int32Array, width: number) => {
    const out = new Int32Array(rows * s);
    for (let i = 0; i < rows; i++) {
      const from = (i % batch.batchSize) * width;
      out.set(src.subarray(from, from + s), i * s);
    }
    return out;
  };
  const tokenLabels = batch.labelsDims.length === 2;
  const labels = tokenLabels
    ? pick(batch.labels, batch.seqLength)
    : Int32Array.from({ length: rows }, (_, i) => batch.labels[i % batch.batchSize]);
  return {
    batchSize: rows,
    seqLength: s,
    inputIds: pick(batch.inputIds, batch.seqLength),
    attentionMask: new Int32Array(rows * s).fill(1),
    hasAttentionMask: batch.hasAttentionMask,
    labels,
    labelsDims: tokenLabels ? [rows, s] : [rows],
    taskIds: batch.taskIds ? Int32Array.from({ length: rows }, (_, i) => batch.taskIds![i % batch.batchSize]) : undefined,
  };
}
