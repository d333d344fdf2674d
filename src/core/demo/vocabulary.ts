// Words and random strings shared by the pretraining corpus and the demo tasks.
import { Rng } from '../data/rng';

export const NOUNS = [
  'cat', 'dog', 'bird', 'fish', 'tree', 'river', 'stone', 'apple', 'house', 'road', 'cloud', 'star', 'moon', 'ship',
  'book', 'door', 'lamp', 'hill', 'lake', 'wolf', 'bear', 'fox', 'horse', 'train', 'clock', 'chair', 'table', 'bread',
  'milk', 'rain', 'snow', 'wind', 'field', 'garden', 'city', 'king', 'queen', 'child', 'friend', 'teacher', 'farmer',
  'robot', 'song', 'letter', 'number', 'window', 'bridge', 'forest', 'island', 'mountain', 'pencil', 'paper', 'box',
];

export const VERBS = [
  'sees', 'likes', 'finds', 'takes', 'holds', 'makes', 'moves', 'reads', 'paints', 'follows', 'counts', 'opens',
  'builds', 'carries', 'watches', 'helps', 'calls', 'keeps', 'sends', 'loves',
];

export const ADJECTIVES = [
  'red', 'blue', 'green', 'small', 'big', 'old', 'new', 'fast', 'slow', 'quiet', 'loud', 'happy', 'tall', 'short',
  'bright', 'dark', 'warm', 'cold', 'soft', 'round',
];

export const NUMBER_WORDS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten'];

export const LOWERCASE = 'abcdefghijklmnopqrstuvwxyz';

export function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[rng.nextInt(items.length)];
}

/** An integer in [low, high]. */
export function intBetween(rng: Rng, low: number, high: number): number {
  return low + rng.nextInt(high - low + 1);
}

/** `length` random characters of `alphabet`. */
export function randomString(rng: Rng, alphabet: string, length: number): string {
  let s = '';
  for (let i = 0; i < length; i++) s += alphabet[rng.nextInt(alphabet.length)];
  return s;
}

export function randomLetters(rng: Rng, minLength: number, maxLength: number): string {
  return randomString(rng, LOWERCASE, intBetween(rng, minLength, maxLength));
}

export function randomDigits(rng: Rng, minLength: number, maxLength: number): string {
  return randomString(rng, '0123456789', intBetween(rng, minLength, maxLength));
}

/** A word or, half the time, random letters: the model must handle both memorized and novel strings. */
export function wordOrLetters(rng: Rng, minLength: number, maxLength: number): string {
  if (rng.nextInt(2) === 0) {
    const fitting = NOUNS.filter((w) => w.length >= minLength && w.length <= maxLength);
    if (fitting.length > 0) return pick(rng, fitting);
  }
  return randomLetters(rng, minLength, maxLength);
}
