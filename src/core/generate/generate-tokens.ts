// Decoding without a key/value cache: every step re-runs the batch on the tokens so far. Rows are right-padded
// to a shared width; with causal attention the logits at a row's last real position never see the padding
// after it, so rows of different lengths decode together exactly. Sampled rows each draw from their own
// stream, Rng.derive(seed, 'generate', row), so a row's tokens depend on its prompt and the seed only, not on
// the batch it shares or its size.
import { Rng } from '../data/rng';
import { Batch } from '../io/batch-file';
import { LogitsSession } from './logits-session';
import { Decoding, checkDecoding, nextToken } from './next-token';

export interface GenerateOptions {
  maxNewTokens: number;
  /** Stop a row once it emits this id (kept in the output). */
  eosId?: number;
  padId: number;
  /** Rows per forward run. */
  batchSize?: number;
  /** Default greedy. */
  decoding?: Decoding;
}

/** Completes each prompt; returns the generated ids of each (without the prompt). */
export async function generateTokens(
  session: LogitsSession,
  prompts: readonly (readonly number[])[],
  options: GenerateOptions,
  adapterValues?: ReadonlyMap<string, Float32Array>,
): Promise<number[][]> {
  const decoding = options.decoding ?? { kind: 'greedy' };
  checkDecoding(decoding);
  if (prompts.some((p) => p.length === 0)) throw new Error('a prompt encodes to no tokens; generation needs at least one token to continue from');
  const results: number[][] = [];
  const chunk = options.batchSize ?? 32;
  for (let start = 0; start < prompts.length; start += chunk) {
    const rows = prompts.slice(start, start + chunk).map((p) => [...p]);
    const streams = rows.map((_, i) => (decoding.kind === 'sample' ? Rng.derive(decoding.seed, 'generate', start + i) : undefined));
    const generated = rows.map(() => [] as number[]);
    const done = rows.map(() => false);
    for (let step = 0; step < options.maxNewTokens && done.some((d) => !d); step++) {
      const width = Math.max(...rows.map((r) => r.length));
      const b = rows.length;
      const inputIds = new Int32Array(b * width).fill(options.padId);
      const attentionMask = new Int32Array(b * width);
      rows.forEach((r, i) => {
        inputIds.set(r, i * width);
        attentionMask.fill(1, i * width, i * width + r.length);
      });
      const batch: Batch = { batchSize: b, seqLength: width, inputIds, attentionMask, hasAttentionMask: true, labels: inputIds, labelsDims: [b, width] };
      const logits = await session.run(batch, adapterValues);
      const vocab = logits.dims[2];
      rows.forEach((r, i) => {
        if (done[i]) return;
        const next = nextToken(logits.data, (i * width + r.length - 1) * vocab, vocab, decoding, streams[i]);
        r.push(next);
        generated[i].push(next);
        if (next === options.eosId) done[i] = true;
      });
    }
    results.push(...generated);
  }
  return results;
}
