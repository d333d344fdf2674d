// Deterministic seeded random numbers for everything that must replay exactly from a seed: data order, task
// mixing, adapter initialization. The generator is xoshiro128** (Blackman & Vigna): 128 bits of state, period
// 2^128 − 1, four uint32 words that serialize to JSON, so a checkpoint stores `rng.getState()` and a resumed run
// continues the same stream with `Rng.fromState(...)`. Seeds are expanded into the state with splitmix32 so that
// nearby seeds (1, 2, 3 …) give unrelated streams.

export interface RngState {
  algorithm: 'xoshiro128**';
  /** The four state words, each an unsigned 32-bit integer. */
  words: [number, number, number, number];
}

// splitmix32 step: a good 32-bit mixer, used to expand seeds and hash labels.
function splitmix32(x: number): number {
  let t = (x + 0x9e3779b9) | 0;
  t = Math.imul(t ^ (t >>> 16), 0x21f0aaad);
  t = Math.imul(t ^ (t >>> 15), 0x735a2d97);
  return (t ^ (t >>> 15)) >>> 0;
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

// FNV-1a over the UTF-16 code units of a label, so `derive(seed, 'task', 3)` is stable across platforms.
function hashLabel(label: string | number): number {
  const text = typeof label === 'number' ? `#${label}` : label;
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

function checkSeed(seed: number): void {
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new RangeError(`RNG seed must be an integer in [0, 2^32 − 1], got ${seed}`);
  }
}

export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  private constructor(words: readonly number[]) {
    [this.s0, this.s1, this.s2, this.s3] = words;
  }

  /** A generator whose state is expanded from a 32-bit seed. */
  static fromSeed(seed: number): Rng {
    checkSeed(seed);
    const words: number[] = [];
    let x = seed;
    for (let i = 0; i < 4; i++) {
      x = splitmix32(x);
      words.push(x);
    }
    // The all-zero state is the one fixed point of xoshiro; splitmix32 never yields four zeros, but be explicit.
    if (words.reduce((bits, w) => bits | w, 0) === 0) words[0] = 1;
    return new Rng(words);
  }

  /**
   * An independent stream named by labels, e.g. `Rng.derive(seed, 'shuffle', taskIndex, epoch)`. The same
   * (seed, labels) always gives the same stream, so a resumed run can rebuild it instead of storing it.
   */
  static derive(seed: number, ...labels: (string | number)[]): Rng {
    checkSeed(seed);
    let h = splitmix32(seed);
    for (const label of labels) h = splitmix32(h ^ hashLabel(label));
    return Rng.fromSeed(h);
  }

  static fromState(state: RngState): Rng {
    const words = state?.words;
    const valid =
      state?.algorithm === 'xoshiro128**' &&
      Array.isArray(words) &&
      words.length === 4 &&
      words.every((w) => Number.isInteger(w) && w >= 0 && w <= 0xffffffff) &&
      words.some((w) => w !== 0);
    if (!valid) {
      throw new Error(`invalid RNG state ${JSON.stringify(state)}: expected {algorithm: 'xoshiro128**', words: four uint32, not all 0}`);
    }
    return new Rng(words);
  }

  getState(): RngState {
    return { algorithm: 'xoshiro128**', words: [this.s0, this.s1, this.s2, this.s3] };
  }

  /** A copy that continues independently from the current position. */
  clone(): Rng {
    return new Rng([this.s0, this.s1, this.s2, this.s3]);
  }

  /** Next uint32 in [0, 2^32). Reference: xoshiro128** 1.1, result = rotl(s1·5, 7)·9. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (this.s1 << 9) >>> 0;
    this.s2 = (this.s2 ^ this.s0) >>> 0;
    this.s3 = (this.s3 ^ this.s1) >>> 0;
    this.s1 = (this.s1 ^ this.s2) >>> 0;
    this.s0 = (this.s0 ^ this.s3) >>> 0;
    this.s2 = (this.s2 ^ t) >>> 0;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform double in [0, 1) with 53 random bits (two draws), so it never rounds up to 1. */
  nextFloat(): number {
    const high = this.nextUint32() >>> 5; // 27 bits
    const low = this.nextUint32() >>> 6; // 26 bits
    return (high * 67108864 + low) / 9007199254740992;
  }

  /** Uniform double in [low, high). */
  uniform(low: number, high: number): number {
    return low + (high - low) * this.nextFloat();
  }

  /** Uniform integer in [0, n), unbiased: draws above the largest multiple of n are rejected. */
  nextInt(n: number): number {
    if (!Number.isInteger(n) || n < 1 || n > 0x100000000) throw new RangeError(`nextInt(n) needs an integer n in [1, 2^32], got ${n}`);
    const limit = 0x100000000 - (0x100000000 % n);
    let u = this.nextUint32();
    while (u >= limit) u = this.nextUint32();
    return u % n;
  }

  /** Standard normal by Box–Muller; the second variate is discarded so the state stays four words. */
  normal(): number {
    const u1 = 1 - this.nextFloat(); // (0, 1]: log stays finite
    const u2 = this.nextFloat();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  /** Index drawn with probability weights[i] / Σ weights (weights ≥ 0, not all 0). */
  pickWeighted(weights: readonly number[]): number {
    let total = 0;
    for (const w of weights) total += w;
    if (!(total > 0)) throw new RangeError(`pickWeighted needs non-negative weights with a positive sum, got [${weights.join(', ')}]`);
    let x = this.nextFloat() * total;
    for (let i = 0; i < weights.length; i++) {
      x -= weights[i];
      if (x < 0) return i;
    }
    // Rounding can leave x ≥ 0 after the last step; the last positive weight takes that sliver.
    for (let i = weights.length - 1; i >= 0; i--) if (weights[i] > 0) return i;
    return weights.length - 1;
  }

  /** In-place Fisher–Yates shuffle. */
  shuffle<T>(items: T[] | Int32Array): void {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.nextInt(i + 1);
      const tmp = items[i];
      items[i] = items[j];
      items[j] = tmp;
    }
  }

  /** A random permutation of 0..n−1. */
  permutation(n: number): Int32Array {
    const order = new Int32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    this.shuffle(order);
    return order;
  }
}
