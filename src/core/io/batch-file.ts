// A batch as JSON: {"input_ids": [[…] × b], "attention_mask"?: [[…] × b], "labels": [[…] × b] or [b]}.
// Token labels [b, s] are for language modelling (−100 = ignored), class labels [b] for classification.
import * as fs from 'fs';

export class BatchFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BatchFileError';
  }
}

export interface Batch {
  batchSize: number;
  seqLength: number;
  /** [b, s] row-major. */
  inputIds: Int32Array;
  /** [b, s]; all ones when the file has none. */
  attentionMask: Int32Array;
  hasAttentionMask: boolean;
  /** [b, s] for token labels, [b] for class labels. */
  labels: Int32Array;
  labelsDims: [number, number] | [number];
  /** [b] task index of each row, for per-task losses of mixed-task batches. */
  taskIds?: Int32Array;
}

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

function checkValue(source: string, field: string, where: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < INT32_MIN || v > INT32_MAX) {
    throw new BatchFileError(`${source}: ${field}${where} is ${JSON.stringify(v)}; token ids, masks and labels must be integers`);
  }
  return v;
}

/** A [b, s] integer matrix with the given row count and length (from input_ids when not given). */
function readMatrix(source: string, field: string, value: unknown, rows?: number, cols?: number): { data: Int32Array; rows: number; cols: number } {
  if (!Array.isArray(value) || value.length === 0) {
    throw new BatchFileError(`${source}: "${field}" must be a non-empty list of rows (a list of lists of integers)`);
  }
  const notRow = value.findIndex((row) => !Array.isArray(row));
  if (notRow >= 0) throw new BatchFileError(`${source}: "${field}" row ${notRow} is ${JSON.stringify(value[notRow])}, not a list of integers`);
  const b = value.length;
  if (rows !== undefined && b !== rows) throw new BatchFileError(`${source}: "${field}" has ${b} rows but "input_ids" has ${rows}`);
  const s = cols ?? (value[0] as unknown[]).length;
  if (s === 0) throw new BatchFileError(`${source}: "${field}" row 0 is empty`);
  const data = new Int32Array(b * s);
  value.forEach((row: unknown[], i) => {
    if (row.length !== s) {
      const expected = cols !== undefined ? `"input_ids" rows have ${s}` : `row 0 has ${s}`;
      throw new BatchFileError(`${source}: "${field}" row ${i} has length ${row.length}, but ${expected}; pad every row to the same length (padding has attention_mask 0)`);
    }
    row.forEach((v, j) => (data[i * s + j] = checkValue(source, field, `[${i}][${j}]`, v)));
  });
  return { data, rows: b, cols: s };
}

/** Parses a batch object; `source` names the file in errors. */
export function parseBatch(json: unknown, source = '<batch>'): Batch {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new BatchFileError(`${source}: a batch must be a JSON object`);
  const obj = json as Record<string, unknown>;
  if (obj.input_ids === undefined) throw new BatchFileError(`${source}: "input_ids" is missing; a batch needs input_ids [b, s] and labels`);
  const ids = readMatrix(source, 'input_ids', obj.input_ids);
  const { rows: b, cols: s } = ids;
  let attentionMask: Int32Array = new Int32Array(b * s).fill(1);
  const hasAttentionMask = obj.attention_mask !== undefined;
  if (hasAttentionMask) {
    attentionMask = readMatrix(source, 'attention_mask', obj.attention_mask, b, s).data;
    const bad = attentionMask.findIndex((v) => v !== 0 && v !== 1);
    if (bad >= 0) {
      throw new BatchFileError(`${source}: attention_mask[${Math.floor(bad / s)}][${bad % s}] is ${attentionMask[bad]}; the mask holds 0 (padding) or 1`);
    }
  }
  if (obj.labels === undefined) throw new BatchFileError(`${source}: "labels" is missing; give [b, s] token labels or [b] class labels`);
  const labelsValue = obj.labels;
  let labels: Int32Array;
  let labelsDims: Batch['labelsDims'];
  if (Array.isArray(labelsValue) && labelsValue.length > 0 && !labelsValue.some(Array.isArray)) {
    if (labelsValue.length !== b) throw new BatchFileError(`${source}: "labels" has ${labelsValue.length} class labels but "input_ids" has ${b} rows`);
    labels = Int32Array.from(labelsValue, (v, i) => checkValue(source, 'labels', `[${i}]`, v));
    labelsDims = [b];
  } else {
    labels = readMatrix(source, 'labels', labelsValue, b, s).data;
    labelsDims = [b, s];
  }
  return { batchSize: b, seqLength: s, inputIds: ids.data, attentionMask, hasAttentionMask, labels, labelsDims };
}

export function readBatchFile(file: string): Batch {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new BatchFileError(`cannot read batch file ${file}: ${(e as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new BatchFileError(`${file} is not valid JSON: ${(e as Error).message}`);
  }
  return parseBatch(json, file);
}
