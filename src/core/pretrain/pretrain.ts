// Full-parameter pretraining of a causal LM on a packed token stream: AdamW on every weight (decay on
// matrices only, as in GPT/LLaMA recipes), linear warmup then cosine decay, global-norm clipping, and a
// held-out loss measured on rows the optimizer never sees.
import { Rng } from '../data/rng';
import { ModelProto } from '../onnx/types';
import { makeTensor } from '../onnx/tensor-data';
import { AdamW } from '../optim/adamw';
import { clipGradNorm } from '../optim/grad-clip';
import { makeLrSchedule } from '../optim/lr-schedule';
import { buildFullParameterGraph } from './full-parameter-graph';
import { FullParameterSession } from './full-parameter-session';
import { packedBatch, rowCount } from './packed-batches';

export interface PretrainOptions {
  /** The initial model; its `*.weight` initializers are trained. */
  model: ModelProto;
  /** Token stream (see packTokenStream); rows of seqLength are cut from it. */
  stream: Int32Array;
  seqLength: number;
  batchSize: number;
  steps: number;
  peakLr: number;
  warmupSteps: number;
  /** Cosine floor. Default peakLr / 10. */
  minLr?: number;
  /** On 2-D weights only. Default 0.1. */
  weightDecay?: number;
  /** Default 1. */
  gradClip?: number;
  /** Rows at the end of the stream held out for evaluation. */
  heldOutRows: number;
  /** Evaluate the held-out loss every N steps (and at the end). 0 = only at the end. */
  evalEvery?: number;
  seed: number;
  threads?: number;
  onProgress?: (event: PretrainProgress) => void;
}

export type PretrainProgress =
  | { kind: 'step'; step: number; loss: number; lr: number; gradNorm: number; elapsedMs: number }
  | { kind: 'eval'; step: number; heldOutLoss: number; elapsedMs: number };

export interface PretrainResult {
  model: ModelProto;
  heldOutLoss: number;
  /** Held-out loss of the initial weights, for comparison. */
  initialHeldOutLoss: number;
  trainTokens: number;
  elapsedMs: number;
}

/** The model with the given weights in place of its initializers of the same names. */
export function modelWithWeights(model: ModelProto, weights: ReadonlyMap<string, Float32Array>): ModelProto {
  const initializers = model.graph.initializers.map((t) => {
    const values = weights.get(t.name);
    return values ? makeTensor(t.name, t.dims, t.dataType, values) : t;
  });
  return { ...model, graph: { ...model.graph, initializers } };
}

/** Token-weighted mean loss over `rows` of the stream, in batches of `batchSize`. */
export async function heldOutLoss(
  session: FullParameterSession,
  stream: Int32Array,
  seqLength: number,
  rows: readonly number[],
  batchSize: number,
  weights: ReadonlyMap<string, Float32Array>,
): Promise<number> {
  let total = 0;
  let count = 0;
  for (let start = 0; start < rows.length; start += batchSize) {
    const chunk = rows.slice(start, start + batchSize);
    const { loss } = await session.run(packedBatch(stream, seqLength, chunk), weights);
    // Each row counts seqLength − 1 predicted tokens (the last position has no next token).
    total += loss * chunk.length;
    count += chunk.length;
  }
  return total / count;
}

export async function pretrain(options: PretrainOptions): Promise<PretrainResult> {
  const { stream, seqLength, batchSize, steps } = options;
  const totalRows = rowCount(stream, seqLength);
  const trainRows = totalRows - options.heldOutRows;
  if (options.heldOutRows < 1 || trainRows < batchSize) {
    throw new Error(`pretrain: the stream has ${totalRows} rows of ${seqLength} tokens; ${options.heldOutRows} held out leaves ${trainRows} for training, need ≥ batch size ${batchSize}`);
  }
  const started = Date.now();
  const sample = packedBatch(stream, seqLength, Array.from({ length: batchSize }, (_, i) => i));
  const sessionOptions = { device: 'cpu' as const, threads: options.threads };
  const training = await FullParameterSession.open(await buildFullParameterGraph(options.model, sample), sessionOptions);
  const evaluation = await FullParameterSession.open(await buildFullParameterGraph(options.model, sample, { lossOnly: true }), sessionOptions);
  const weights = new Map(training.graph.weights.map((w) => [w.name, w.values.slice()]));
  const isMatrix = new Map(training.graph.weights.map((w) => [w.name, w.dims.length === 2]));
  const heldOut = Array.from({ length: options.heldOutRows }, (_, i) => trainRows + i);
  const evalBatch = 32;

  const decayed = new AdamW({ lr: options.peakLr, weightDecay: options.weightDecay ?? 0.1, beta2: 0.95 });
  const undecayed = new AdamW({ lr: options.peakLr, weightDecay: 0, beta2: 0.95 });
  const schedule = makeLrSchedule({ kind: 'cosine', peakLr: options.peakLr, totalSteps: steps, warmupSteps: options.warmupSteps, minLr: options.minLr ?? options.peakLr / 10 });
  const order = Rng.derive(options.seed, 'pretrain-row-order');
  let epochRows = order.permutation(trainRows);
  let cursor = 0;
  const split = (m: ReadonlyMap<string, Float32Array>, matrices: boolean) => new Map([...m].filter(([name]) => isMatrix.get(name) === matrices));

  try {
    const initialHeldOutLoss = await heldOutLoss(evaluation, stream, seqLength, heldOut, evalBatch, weights);
    options.onProgress?.({ kind: 'eval', step: 0, heldOutLoss: initialHeldOutLoss, elapsedMs: Date.now() - started });
    let last = initialHeldOutLoss;
    for (let step = 1; step <= steps; step++) {
      if (cursor + batchSize > trainRows) {
        epochRows = order.permutation(trainRows);
        cursor = 0;
      }
      const rows = epochRows.subarray(cursor, cursor + batchSize);
      cursor += batchSize;
      const { loss, grads } = await training.run(packedBatch(stream, seqLength, rows), weights);
      const gradNorm = clipGradNorm(grads, options.gradClip ?? 1);
      const lr = schedule(step);
      if (Number.isFinite(loss) && Number.isFinite(gradNorm)) {
        decayed.step(split(weights, true), split(grads, true), lr);
        undecayed.step(split(weights, false), split(grads, false), lr);
      }
      options.onProgress?.({ kind: 'step', step, loss, lr, gradNorm, elapsedMs: Date.now() - started });
      const evalEvery = options.evalEvery ?? 0;
      if (step === steps || (evalEvery > 0 && step % evalEvery === 0)) {
        last = await heldOutLoss(evaluation, stream, seqLength, heldOut, evalBatch, weights);
        options.onProgress?.({ kind: 'eval', step, heldOutLoss: last, elapsedMs: Date.now() - started });
      }
    }
    return {
      model: modelWithWeights(options.model, weights),
      heldOutLoss: last,
      initialHeldOutLoss,
      trainTokens: steps * batchSize * seqLength,
      elapsedMs: Date.now() - started,
    };
  } finally {
    await training.release();
    await evaluation.release();
  }
}
