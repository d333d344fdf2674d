// Per-task evaluation on the eval files: mean loss (the training loss's definition, computed in float64 from
// the logits) and accuracy — exact match of the greedy completion for generative tasks, argmax for classifiers.
import { TokenizedExample, IGNORE_INDEX } from '../data/example-formats';
import { LogitsSession } from '../generate/logits-session';
import { generateTokens } from '../generate/generate-tokens';
import { Batch } from '../io/batch-file';

export interface TaskEvalResult {
  task: string;
  loss: number;
  accuracy: number;
  examples: number;
}

export interface EvaluateOptions {
  batchSize: number;
  padId: number;
  eosId?: number;
  /** Evaluate at most this many examples per task (0 = all). */
  maxExamples?: number;
}

/** −log softmax(z)[target], in float64. */
function crossEntropy(data: Float32Array, offset: number, vocab: number, target: number): number {
  let max = -Infinity;
  for (let i = 0; i < vocab; i++) max = Math.max(max, data[offset + i]);
  let sum = 0;
  for (let i = 0; i < vocab; i++) sum += Math.exp(data[offset + i] - max);
  return Math.log(sum) + max - data[offset + target];
}

function padBatch(examples: readonly TokenizedExample[], padId: number): Batch {
  const b = examples.length;
  const width = Math.max(...examples.map((e) => e.inputIds.length));
  const inputIds = new Int32Array(b * width).fill(padId);
  const attentionMask = new Int32Array(b * width);
  examples.forEach((e, i) => {
    inputIds.set(e.inputIds, i * width);
    attentionMask.fill(1, i * width, i * width + e.inputIds.length);
  });
  return { batchSize: b, seqLength: width, inputIds, attentionMask, hasAttentionMask: true, labels: inputIds, labelsDims: [b, width] };
}

/** Where the completion starts: the first position whose label counts. */
function completionStart(e: Extract<TokenizedExample, { kind: 'causal_lm' }>): number {
  const k = e.labels.findIndex((l, i) => i > 0 && l !== IGNORE_INDEX);
  return k < 0 ? e.labels.length : k;
}

async function evaluateGenerative(session: LogitsSession, name: string, examples: Extract<TokenizedExample, { kind: 'causal_lm' }>[], values: ReadonlyMap<string, Float32Array> | undefined, o: EvaluateOptions): Promise<TaskEvalResult> {
  let lossSum = 0;
  let counted = 0;
  for (let start = 0; start < examples.length; start += o.batchSize) {
    const chunk = examples.slice(start, start + o.batchSize);
    const batch = padBatch(chunk, o.padId);
    const logits = await session.run(batch, values);
    const vocab = logits.dims[2];
    chunk.forEach((e, i) => {
      // logits[:, t] predict labels[:, t+1] (the training loss's convention).
      for (let t = 0; t + 1 < e.labels.length; t++) {
        const target = e.labels[t + 1];
        if (target === IGNORE_INDEX) continue;
        lossSum += crossEntropy(logits.data, (i * batch.seqLength + t) * vocab, vocab, target);
        counted++;
      }
    });
  }
  const prompts = examples.map((e) => Array.from(e.inputIds.subarray(0, completionStart(e))));
  const maxNewTokens = Math.max(...examples.map((e) => e.inputIds.length - completionStart(e)));
  const generated = await generateTokens(session, prompts, { maxNewTokens, eosId: o.eosId, padId: o.padId, batchSize: o.batchSize }, values);
  let correct = 0;
  examples.forEach((e, i) => {
    const want = Array.from(e.inputIds.subarray(completionStart(e)));
    const got = generated[i].slice(0, want.length);
    if (got.length === want.length && got.every((id, k) => id === want[k])) correct++;
  });
  return { task: name, loss: counted ? lossSum / counted : NaN, accuracy: correct / examples.length, examples: examples.length };
}

async function evaluateClassification(session: LogitsSession, name: string, examples: Extract<TokenizedExample, { kind: 'classification' }>[], values: ReadonlyMap<string, Float32Array> | undefined, o: EvaluateOptions): Promise<TaskEvalResult> {
  let lossSum = 0;
  let correct = 0;
  for (let start = 0; start < examples.length; start += o.batchSize) {
    const chunk = examples.slice(start, start + o.batchSize);
    const logits = await session.run(padBatch(chunk, o.padId), values);
    const classes = logits.dims[1];
    chunk.forEach((e, i) => {
      lossSum += crossEntropy(logits.data, i * classes, classes, e.label);
      let best = 0;
      for (let c = 1; c < classes; c++) if (logits.data[i * classes + c] > logits.data[i * classes + best]) best = c;
      if (best === e.label) correct++;
    });
  }
  return { task: name, loss: lossSum / examples.length, accuracy: correct / examples.length, examples: examples.length };
}

export async function evaluateTasks(
  session: LogitsSession,
  tasks: readonly { name: string; eval: readonly TokenizedExample[] }[],
  values: ReadonlyMap<string, Float32Array> | undefined,
  options: EvaluateOptions,
): Promise<TaskEvalResult[]> {
  const results: TaskEvalResult[] = [];
  for (const task of tasks) {
    const examples = options.maxExamples ? task.eval.slice(0, options.maxExamples) : [...task.eval];
    if (!examples.length) continue;
    if (examples[0].kind === 'causal_lm') {
      results.push(await evaluateGenerative(session, task.name, examples as Extract<TokenizedExample, { kind: 'causal_lm' }>[], values, options));
    } else {
      results.push(await evaluateClassification(session, task.name, examples as Extract<TokenizedExample, { kind: 'classification' }>[], values, options));
    }
  }
  return results;
}
