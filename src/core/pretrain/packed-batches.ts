// Pretraining batches from a token stream, GPT-style: the records are concatenated and cut into rows of
// exactly seqLength tokens, so no position is padding and every token is a label (labels = input_ids; the
// loss head shifts them). A row may start inside a record; records begin with BOS, so the model still sees
// record starts at every position.
import { Batch } from '../io/batch-file';

export function packTokenStream(records: readonly number[][]): Int32Array {
  const total = records.reduce((s, r) => s + r.length, 0);
  const stream = new Int32Array(total);
  let offset = 0;
  for (const r of records) {
    stream.set(r, offset);
    offset += r.length;
  }
  return stream;
}

/** How many full rows of seqLength the stream holds. */
export function rowCount(stream: Int32Array, seqLength: number): number {
  return Math.floor(stream.length / seqLength);
}

/** Rows `rows[i]` of the stream (row r = tokens r·s … r·s + s − 1) as one batch [rows.length, s]. */
export function packedBatch(stream: Int32Array, seqLength: number, rows: ArrayLike<number>): Batch {
  const available = rowCount(stream, seqLength);
  const b = rows.length;
  const inputIds = new Int32Array(b * seqLength);
  for (let i = 0; i < b; i++) {
    const r = rows[i];
    if (!(r >= 0 && r < available)) throw new RangeError(`packedBatch: row ${r} is outside the stream's ${available} rows of ${seqLength} tokens`);
    inputIds.set(stream.subarray(r * seqLength, (r + 1) * seqLength), i * seqLength);
  }
  return {
    batchSize: b,
    seqLength,
    inputIds,
    attentionMask: new Int32Array(b * seqLength).fill(1),
    hasAttentionMask: true,
    labels: inputIds.slice(),
    labelsDims: [b, seqLength],
  };
}
