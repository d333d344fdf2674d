// Gradient accumulation: k micro-batches, one optimizer step, the same update as one batch of all their rows.
// The task loss is a mean over counted labels, so with n_i counted labels in micro-batch i (N = Σ n_i):
//   L = Σ_i (n_i / N)·L_i  and  ∇L = Σ_i (n_i / N)·∇L_i.
// Extra terms (SPR) do not depend on the data: each run carries λ·∇L_SPR, and the weights sum to 1, so the
// sum carries it exactly once. Per-task means combine the same way with per-task counts n_{i,t}.
import { Batch } from '../io/batch-file';
import { DEFAULT_IGNORE_INDEX } from '../loss/loss-head';
import { TaskHead } from './lora-training-graph';
import { StepResult, TrainStepSession } from './train-step-session';

export interface LabelCounts {
  total: number;
  /** Counted labels per task (empty without task ids). */
  perTask: number[];
}

/** Labels the loss counts: labels[:, 1:] ≠ ignore for a causal LM (labels[:, 0] is never predicted), labels ≠ ignore for classification. */
export function countedLabels(batch: Batch, head: TaskHead, taskCount: number, ignoreIndex = DEFAULT_IGNORE_INDEX): LabelCounts {
  const perTask = new Array<number>(batch.taskIds ? taskCount : 0).fill(0);
  let total = 0;
  const perRow = head === 'causal_lm' ? batch.seqLength : 1;
  for (let row = 0; row < batch.batchSize; row++) {
    let n = 0;
    for (let j = head === 'causal_lm' ? 1 : 0; j < perRow; j++) if (batch.labels[row * perRow + j] !== ignoreIndex) n++;
    total += n;
    if (batch.taskIds) perTask[batch.taskIds[row]] += n;
  }
  return { total, perTask };
}

export interface AccumulatedStep extends StepResult {
  /** Attended tokens over all micro-batches (throughput). */
  tokens: number;
}

/** Forward + backward over every micro-batch; one combined result for the optimizer. */
export async function accumulatedStep(
  session: TrainStepSession,
  microBatches: readonly Batch[],
  values: ReadonlyMap<string, Float32Array>,
  head: TaskHead,
  taskCount: number,
): Promise<AccumulatedStep> {
  if (microBatches.length === 1) {
    const result = await session.run(microBatches[0], values);
    return { ...result, tokens: microBatches[0].attentionMask.reduce((s, v) => s + v, 0) };
  }
  const counts = microBatches.map((b) => countedLabels(b, head, taskCount));
  const total = counts.reduce((s, c) => s + c.total, 0);
  if (total === 0) {
    throw new Error(`none of the ${microBatches.length} micro-batches of this step has a counted label (all −100); the step has no loss to follow`);
  }
  const grads = new Map<string, Float32Array>();
  const perTaskSum = new Array<number>(taskCount).fill(0);
  const perTaskCount = new Array<number>(taskCount).fill(0);
  let loss = 0;
  let taskLoss = 0;
  let terms = new Map<string, number>();
  let tokens = 0;
  let sawTaskLosses = false;
  for (const [i, batch] of microBatches.entries()) {
    tokens += batch.attentionMask.reduce((s, v) => s + v, 0);
    // A micro-batch with nothing counted has weight 0 (and a 0/0 loss): nothing to run.
    if (counts[i].total === 0) continue;
    const r = await session.run(batch, values);
    const w = counts[i].total / total;
    loss += w * r.loss;
    taskLoss += w * r.taskLoss;
    terms = r.terms;
    for (const [name, g] of r.grads) {
      const sum = grads.get(name);
      if (!sum) grads.set(name, Float32Array.from(g, (v) => w * v));
      else for (let j = 0; j < g.length; j++) sum[j] += w * g[j];
    }
    if (r.perTaskLoss) {
      sawTaskLosses = true;
      counts[i].perTask.forEach((n, t) => {
        perTaskSum[t] += n * r.perTaskLoss![t];
        perTaskCount[t] += n;
      });
    }
  }
  return {
    loss,
    taskLoss,
    perTaskLoss: sawTaskLosses ? perTaskSum.map((s, t) => (perTaskCount[t] > 0 ? s / perTaskCount[t] : 0)) : undefined,
    terms,
    grads,
    tokens,
  };
}
