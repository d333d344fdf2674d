// Seeded random matrices for initializations, reproducible from `seed`; the generator is the project's one
// (src/core/data/rng.ts, xoshiro128**).
import { Rng as SeededGenerator } from '../data/rng';
import { Matrix, zeros } from './matrix';

export type Rng = () => number;

/** Uniform in [0, 1). */
export function seededRng(seed: number): Rng {
  const generator = SeededGenerator.fromSeed(seed >>> 0);
  return () => generator.nextFloat();
}

// Box–Muller; 1 − u keeps the log argument in (0, 1].
export function standardNormal(rng: Rng): number {
  return Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
}

export function randomNormalMatrix(rows: number, cols: number, rng: Rng): Matrix {
  const m = zeros(rows, cols);
  for (let i = 0; i < m.data.length; i++) m.data[i] = standardNormal(rng);
  return m;
}

export function randomUniformMatrix(rows: number, cols: number, bound: number, rng: Rng): Matrix {
  const m = zeros(rows, cols);
  for (let i = 0; i < m.data.length; i++) m.data[i] = (2 * rng() - 1) * bound;
  return m;
}

// PEFT's lora_A init: kaiming_uniform_(a = √5) on a [rows, fanIn] weight.
// gain = √(2/(1+a²)) = √(1/3), bound = √3·gain/√fanIn = 1/√fanIn.
export function kaimingUniformLoraA(rows: number, fanIn: number, rng: Rng): Matrix {
  return randomUniformMatrix(rows, fanIn, 1 / Math.sqrt(fanIn), rng);
}
