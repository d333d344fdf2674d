// Checks run on a batch before it is fed to a loss head: ONNX Runtime would either fail deep inside
// SoftmaxCrossEntropyLoss with an index error or return NaN, and neither says which example is at fault.
import { DEFAULT_IGNORE_INDEX } from './loss-head';

export class LabelCheckError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LabelCheckError';
  }
}

/** Integer tensor as nested rows (batch.json) or as dims + flat data (an onnxruntime Tensor fits). */
export type IntTensorLike = readonly number[] | readonly (readonly number[])[] | { dims: readonly number[]; data: ArrayLike<number | bigint> };

interface Grid {
  dims: number[];
  values: number[];
}

const shapeText = (dims: readonly number[]) => `[${dims.join(', ')}]`;

function toGrid(name: string, x: IntTensorLike): Grid {
  if (!Array.isArray(x)) {
    const t = x as { dims: readonly number[]; data: ArrayLike<number | bigint> };
    return { dims: [...t.dims], values: Array.from(t.data, Number) };
  }
  const rows = x as readonly (number | readonly number[])[];
  if (!rows.some((r) => Array.isArray(r))) return { dims: [rows.length], values: rows as number[] };
  const width = (rows[0] as readonly number[]).length;
  rows.forEach((r, i) => {
    if (!Array.isArray(r) || r.length !== width) {
      throw new LabelCheckError(`${name} is ragged: row ${i} has ${Array.isArray(r) ? r.length : 'no'} entries, row 0 has ${width}; pad every row to one length`);
    }
  });
  return { dims: [rows.length, width], values: (rows as readonly (readonly number[])[]).flat() };
}

function sameShape(a: Grid, aName: string, b: Grid, bName: string, why: string): void {
  if (a.dims.length !== b.dims.length || a.dims.some((d, k) => d !== b.dims[k])) {
    throw new LabelCheckError(`${bName} has shape ${shapeText(b.dims)} but ${aName} has shape ${shapeText(a.dims)}; ${why}`);
  }
}

function requireRank(g: Grid, name: string, rank: number, layout: string): void {
  if (g.dims.length !== rank) throw new LabelCheckError(`${name} has shape ${shapeText(g.dims)}, expected ${layout}`);
}

/** Position text: labels[r][c] for rank 2, labels[r] for rank 1. */
function at(name: string, dims: number[], flat: number): string {
  return dims.length === 2 ? `${name}[${Math.floor(flat / dims[1])}][${flat % dims[1]}]` : `${name}[${flat}]`;
}

/** Every label is in [0, count) or the ignore index; returns how many are counted (optionally only those `counts`). */
function checkLabelRange(labels: Grid, count: number, ignoreIndex: number, what: string, counts: (flat: number) => boolean): number {
  let counted = 0;
  labels.values.forEach((v, i) => {
    if (v === ignoreIndex) return;
    if (!Number.isInteger(v) || v < 0 || v >= count) {
      throw new LabelCheckError(
        `${at('labels', labels.dims, i)} = ${v} is neither a ${what} in [0, ${count}) nor the ignore index ${ignoreIndex}; ` +
          `the ${what} count is ${count}: check that the tokenizer/label map matches the model`,
      );
    }
    if (counts(i)) counted++;
  });
  return counted;
}

function checkTaskIds(taskIds: IntTensorLike | undefined, taskCount: number | undefined, batchSize: number): void {
  if (taskIds === undefined) return;
  const g = toGrid('task_ids', taskIds);
  if (g.dims.length !== 1 || g.dims[0] !== batchSize) {
    throw new LabelCheckError(`task_ids has shape ${shapeText(g.dims)}, expected [${batchSize}] (one task id per batch row)`);
  }
  if (taskCount === undefined) return;
  g.values.forEach((t, r) => {
    if (!Number.isInteger(t) || t < 0 || t >= taskCount) {
      throw new LabelCheckError(`task_ids[${r}] = ${t} is not a task id in [0, ${taskCount}); this run has ${taskCount} task(s)`);
    }
  });
}

/** A batch as the label checks see it: token inputs [b, s], labels [b, s] (LM) or [b] (classes), task ids [b]. */
export interface LabelledBatchTensors {
  inputIds: IntTensorLike;
  attentionMask?: IntTensorLike;
  labels: IntTensorLike;
  taskIds?: IntTensorLike;
}

export type CausalLmBatchTensors = LabelledBatchTensors;
export type ClassificationBatchTensors = LabelledBatchTensors;

/**
 * Every input id indexes a row of the embedding table: in [0, tokenVocab). A negative id would not fail in ONNX
 * Runtime's Gather but count from the end of the table, so it is refused even when the size is unknown.
 */
export function checkInputIdRange(inputIds: IntTensorLike, tokenVocab: number | undefined): void {
  const ids = toGrid('input_ids', inputIds);
  ids.values.forEach((v, i) => {
    if (Number.isInteger(v) && v >= 0 && (tokenVocab === undefined || v < tokenVocab)) return;
    const range = tokenVocab === undefined ? 'a token id (≥ 0)' : `a token id in [0, ${tokenVocab})`;
    const why = tokenVocab === undefined ? '' : ` (the model's embedding table has ${tokenVocab} rows)`;
    throw new LabelCheckError(`${at('input_ids', ids.dims, i)} = ${v} is not ${range}${why}; check that the tokenizer matches the model`);
  });
}

/** input_ids is [batch, sequence] of ids in range, and attention_mask, when given, has its shape; returns input_ids. */
function checkTokenInputs(batch: LabelledBatchTensors, tokenVocab: number | undefined): Grid {
  const ids = toGrid('input_ids', batch.inputIds);
  requireRank(ids, 'input_ids', 2, '[batch, sequence]');
  checkInputIdRange(batch.inputIds, tokenVocab);
  if (batch.attentionMask !== undefined) {
    sameShape(ids, 'input_ids', toGrid('attention_mask', batch.attentionMask), 'attention_mask', 'they must match (one mask value per token)');
  }
  return ids;
}

export interface CausalLmLabelLimits {
  vocabSize: number;
  /** Rows of the embedding table (token-vocabulary.ts), when known; input ids must be below it. */
  tokenVocab?: number;
  ignoreIndex?: number;
  taskCount?: number;
}

/**
 * input_ids, attention_mask and labels share one shape [b, s]; labels are token ids or ignore_index; at least
 * one of labels[:, 1:] is counted (logits[:, t] predict labels[:, t+1], so labels[:, 0] never is).
 * Returns the number of counted tokens, the loss's denominator.
 */
export function checkCausalLmBatch(batch: CausalLmBatchTensors, limits: CausalLmLabelLimits): { countedTokens: number } {
  const ignoreIndex = limits.ignoreIndex ?? DEFAULT_IGNORE_INDEX;
  const ids = checkTokenInputs(batch, limits.tokenVocab);
  const labels = toGrid('labels', batch.labels);
  if (labels.dims.length === 1) {
    throw new LabelCheckError(
      `labels has shape ${shapeText(labels.dims)}, one class per row, but this is a causal-LM head, which needs one label per token: ` +
        `give labels of input_ids' shape ${shapeText(ids.dims)} (−100 where no loss is wanted), or use a sequence-classification adapter`,
    );
  }
  sameShape(ids, 'input_ids', labels, 'labels', 'they must match (one label per token, −100 where no loss is wanted)');
  checkTaskIds(batch.taskIds, limits.taskCount, ids.dims[0]);
  const seq = ids.dims[1];
  const counted = checkLabelRange(labels, limits.vocabSize, ignoreIndex, 'token id', (i) => i % seq !== 0);
  if (counted === 0) {
    throw new LabelCheckError(
      `no token of this ${shapeText(ids.dims)} batch is counted: every label in labels[:, 1:] is ${ignoreIndex} ` +
        `(labels[:, 0] is never predicted, since logits[:, t] predict labels[:, t+1]), so the mean loss would be NaN; ` +
        `drop the batch or label at least one completion token`,
    );
  }
  return { countedTokens: counted };
}

export interface ClassificationLabelLimits {
  classCount: number;
  tokenVocab?: number;
  ignoreIndex?: number;
  taskCount?: number;
}

/** input_ids and attention_mask share [b, s]; labels [b] are class ids or ignore_index, at least one counted. */
export function checkSequenceClassificationBatch(batch: ClassificationBatchTensors, limits: ClassificationLabelLimits): { countedRows: number } {
  const ignoreIndex = limits.ignoreIndex ?? DEFAULT_IGNORE_INDEX;
  const ids = checkTokenInputs(batch, limits.tokenVocab);
  const labels = toGrid('labels', batch.labels);
  if (labels.dims.length !== 1 || labels.dims[0] !== ids.dims[0]) {
    throw new LabelCheckError(
      `labels has shape ${shapeText(labels.dims)} but input_ids has shape ${shapeText(ids.dims)}; expected labels [${ids.dims[0]}] (one class per row)`,
    );
  }
  checkTaskIds(batch.taskIds, limits.taskCount, ids.dims[0]);
  const counted = checkLabelRange(labels, limits.classCount, ignoreIndex, 'class', () => true);
  if (counted === 0) {
    throw new LabelCheckError(`no row of this batch is counted: every label is ${ignoreIndex}, so the mean loss would be NaN; drop the batch`);
  }
  return { countedRows: counted };
}
