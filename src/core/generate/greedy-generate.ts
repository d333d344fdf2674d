// Greedy decoding without a key/value cache: every step re-runs the batch on the tokens so far. Rows are
// right-padded to a shared width; with causal attention the logits at a row's last real position never see
// the padding after it, so rows of different lengths decode together exactly.
import { Batch } from '../io/batch-file';
import { LogitsSession } from './logits-session';

export interface GenerateOptions {
  maxNewTokens: number;
  /** Stop a row once it emits this id (kept in the output). */
  eosId?: number;
  padId: number;
  /** Rows per forward run. */
  batchSize?: number;
}

function argmax(data: Float32Array, offset: number, length: number): number {
  let best = 0;
  let bestValue = -Infinity;
  for (let i = 0; i < length; i++) {
    const v = data[offset + i];
    if (v > bestValue) {
      bestValue = v;
      best = i;
    }
  }
  return best;
}

/** Completes each prompt greedily; returns the generated ids of each (without the prompt). */
export async function greedyGenerate(
  session: LogitsSession,
  prompts: readonly (readonly number[])[],
  options: GenerateOptions,
  adapterValues?: ReadonlyMap<string, Float32Array>,
): Promise<number[][]> {
  const results: number[][] = [];
  const chunk = options.batchSize ?? 32;
  for (let start = 0; start < prompts.length; start += chunk) {
    const rows = prompts.slice(start, start + chunk).map((p) => [...p]);
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
        const next = argmax(logits.data, (i * width + r.length - 1) * vocab, vocab);
        r.push(next);
        generated[i].push(next);
        if (next === options.eosId) done[i] = true;
      });
    }
    results.push(...generated);
  }
  return results;
}
