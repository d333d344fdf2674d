// The small batch the shape probe runs on: at least 2 rows and 4 positions, so no dynamic dim is 1
// (GradContext.unbroadcast tells broadcasts apart by size-1 dims) and logits[:, :-1] stays wider than 1.
import { Batch } from '../io/batch-file';

const PROBE_ROWS = 2;
const PROBE_POSITIONS = 6;

export function makeProbeBatch(batch: Batch): Batch {
  const s = Math.min(batch.seqLength, PROBE_POSITIONS);
  if (batch.seqLength < 4) {
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
  // Labels only need the right shape here; valid values (the input tokens, class 0) keep the probe from
  // failing on a bad label before the label checks can report it properly.
  const tokenLabels = batch.labelsDims.length === 2;
  const inputIds = pick(batch.inputIds, batch.seqLength);
  const labels = tokenLabels ? inputIds.slice() : new Int32Array(rows);
  return {
    batchSize: rows,
    seqLength: s,
    inputIds,
    attentionMask: new Int32Array(rows * s).fill(1),
    hasAttentionMask: batch.hasAttentionMask,
    labels,
    labelsDims: tokenLabels ? [rows, s] : [rows],
    taskIds: batch.taskIds ? Int32Array.from({ length: rows }, (_, i) => batch.taskIds![i % batch.batchSize]) : undefined,
  };
}
