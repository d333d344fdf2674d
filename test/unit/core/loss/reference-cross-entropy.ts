// Float64 oracles for the loss-head tests: cross-entropy computed directly from logits in TypeScript, and the
// fixtures' expected logits widened to float64.
import { readSafetensorsLite } from '../../../support/read-safetensors-lite';

export interface NamedArray {
  shape: number[];
  data: Float64Array;
}

export function readSafetensorsF32(file: string): Map<string, NamedArray> {
  const out = new Map<string, NamedArray>();
  for (const [name, t] of readSafetensorsLite(file)) out.set(name, { shape: t.shape, data: Float64Array.from(t.data) });
  return out;
}

/** −log softmax(row)[label], with the max subtracted first. */
export function tokenCrossEntropy(logits: ArrayLike<number>, offset: number, classes: number, label: number): number {
  let max = -Infinity;
  for (let c = 0; c < classes; c++) max = Math.max(max, logits[offset + c]);
  let sum = 0;
  for (let c = 0; c < classes; c++) sum += Math.exp(logits[offset + c] - max);
  return Math.log(sum) + max - logits[offset + label];
}

export interface ReferenceLoss {
  loss: number;
  counted: number;
  /** Per task: Σ token losses / counted tokens (0 for a task without counted tokens). */
  taskLoss: number[];
}

/** One (row of scores, label, task) per prediction; ignored labels (−100) are skipped. */
interface Prediction {
  offset: number;
  label: number;
  task?: number;
}

function meanLoss(logits: ArrayLike<number>, classes: number, predictions: Prediction[], taskCount: number): ReferenceLoss {
  let total = 0;
  let counted = 0;
  const taskSum = new Array<number>(taskCount).fill(0);
  const taskCounted = new Array<number>(taskCount).fill(0);
  for (const p of predictions) {
    if (p.label === -100) continue;
    const l = tokenCrossEntropy(logits, p.offset, classes, p.label);
    total += l;
    counted++;
    if (p.task !== undefined && p.task < taskCount) {
      taskSum[p.task] += l;
      taskCounted[p.task]++;
    }
  }
  return { loss: total / counted, counted, taskLoss: taskSum.map((s, k) => (taskCounted[k] ? s / taskCounted[k] : 0)) };
}

/** Hugging Face causal LM loss: logits[:, t] (t < s−1) against labels[:, t+1], −100 ignored, mean. */
export function causalLmReference(
  logits: ArrayLike<number>,
  [batch, seq, vocab]: number[],
  labels: number[][],
  taskIds: number[] = [],
  taskCount = 0,
): ReferenceLoss {
  const predictions: Prediction[] = [];
  for (let r = 0; r < batch; r++) {
    for (let t = 0; t + 1 < seq; t++) predictions.push({ offset: (r * seq + t) * vocab, label: labels[r][t + 1], task: taskIds[r] });
  }
  return meanLoss(logits, vocab, predictions, taskCount);
}

/** Mean cross-entropy of logits [b, C] against labels [b], −100 ignored. */
export function classificationReference(
  logits: ArrayLike<number>,
  [batch, classes]: number[],
  labels: number[],
  taskIds: number[] = [],
  taskCount = 0,
): ReferenceLoss {
  const predictions = Array.from({ length: batch }, (_, r) => ({ offset: r * classes, label: labels[r], task: taskIds[r] }));
  return meanLoss(logits, classes, predictions, taskCount);
}
