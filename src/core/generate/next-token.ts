// Choosing the next token from one row of logits z (length V): greedy takes argmax z; sampling draws from
// softmax(z / T) restricted to the nucleus (top-p, Holtzman et al. 2019), the smallest set of most likely
// tokens whose probability mass reaches p, renormalized. All in float64.
//   p_i = exp((z_i − max z) / T) / Σ_j exp((z_j − max z) / T)
// As T → 0 the distribution concentrates on argmax z, so temperature 0 is greedy decoding exactly.
import { Rng } from '../data/rng';
import type { Decoding } from '../../protocol/playground';

export type { Decoding };

export function checkDecoding(d: Decoding): void {
  if (d.kind === 'greedy') return;
  if (!(Number.isFinite(d.temperature) && d.temperature >= 0)) throw new RangeError(`temperature must be a number ≥ 0 (0 = greedy), got ${d.temperature}`);
  if (!(d.topP > 0 && d.topP <= 1)) throw new RangeError(`top-p must be in (0, 1] (1 keeps every token), got ${d.topP}`);
  if (!Number.isInteger(d.seed) || d.seed < 0 || d.seed > 0xffffffff) throw new RangeError(`seed must be an integer in [0, 2^32 − 1], got ${d.seed}`);
}

export function argmax(data: Float32Array, offset: number, length: number): number {
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

/** softmax(z / T) of logits[offset, offset + length), T > 0. */
export function temperatureSoftmax(data: Float32Array, offset: number, length: number, temperature: number): Float64Array {
  let max = -Infinity;
  for (let i = 0; i < length; i++) max = Math.max(max, data[offset + i]);
  const p = new Float64Array(length);
  let sum = 0;
  for (let i = 0; i < length; i++) sum += p[i] = Math.exp((data[offset + i] - max) / temperature);
  for (let i = 0; i < length; i++) p[i] /= sum;
  return p;
}

/**
 * The nucleus of p: token ids by falling probability, cut after the first k whose mass Σ reaches topP (at
 * least one token), and that mass.
 */
export function nucleus(p: Float64Array, topP: number): { ids: number[]; mass: number } {
  const order = Array.from(p.keys()).sort((a, b) => p[b] - p[a] || a - b);
  const ids: number[] = [];
  let mass = 0;
  for (const id of order) {
    ids.push(id);
    mass += p[id];
    if (mass >= topP) break;
  }
  return { ids, mass };
}

/** The next token of one row; `rng` is the row's own stream (needed when sampling). */
export function nextToken(data: Float32Array, offset: number, vocab: number, decoding: Decoding, rng?: Rng): number {
  if (decoding.kind === 'greedy' || decoding.temperature === 0) return argmax(data, offset, vocab);
  if (!rng) throw new Error('sampling needs a seeded Rng');
  const p = temperatureSoftmax(data, offset, vocab, decoding.temperature);
  const { ids, mass } = nucleus(p, decoding.topP);
  let x = rng.nextFloat() * mass;
  for (const id of ids) {
    x -= p[id];
    if (x < 0) return id;
  }
  // Rounding can leave x ≥ 0 after the last one; the least likely kept token takes that sliver.
  return ids[ids.length - 1];
}
