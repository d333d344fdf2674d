// The pretraining corpus of the demo base model, generated from a seed. It teaches the byte model the shape
// of the demo data in general — records "<instruction>: <input>\n<output>" framed by BOS … EOS, words, letter
// strings, digits and numbers — through string tasks that are related to the demo tasks but different:
//   near copy:    upper, spell, join, double          near reverse: first, last, rotate, swap
//   near sort:    min, max, count-of-a-digit          near add:     next, count-up, bigger, sum of one-digit words
// plus plain sentences and number lists. The demo instructions (copy, reverse, sort, add) never occur, so the
// base model has the primitives but not the demo mappings: LoRA has something to learn, quickly.
import { Rng } from '../data/rng';
import { ADJECTIVES, LOWERCASE, NOUNS, NUMBER_WORDS, VERBS, intBetween, pick, randomDigits, randomLetters, wordOrLetters } from './vocabulary';

type RecordMaker = (rng: Rng) => string;

const instruction = (name: string, input: string, output: string) => `${name}: ${input}\n${output}`;

const shiftLetter = (c: string) => LOWERCASE[(LOWERCASE.indexOf(c) + 1) % 26];

export const CORPUS_RECORD_KINDS: Readonly<Record<string, RecordMaker>> = {
  upper: (rng) => {
    const s = wordOrLetters(rng, 2, 9);
    return instruction('upper', s, s.toUpperCase());
  },
  spell: (rng) => {
    const s = wordOrLetters(rng, 2, 7);
    return instruction('spell', s, [...s].join(' '));
  },
  join: (rng) => {
    const s = wordOrLetters(rng, 2, 7);
    return instruction('join', [...s].join(' '), s);
  },
  double: (rng) => {
    const s = wordOrLetters(rng, 2, 5);
    return instruction('double', s, s + s);
  },
  shift: (rng) => {
    const s = randomLetters(rng, 2, 7);
    return instruction('shift', s, [...s].map(shiftLetter).join(''));
  },
  first: (rng) => {
    const s = wordOrLetters(rng, 2, 9);
    return instruction('first', s, s[0]);
  },
  last: (rng) => {
    const s = wordOrLetters(rng, 2, 9);
    return instruction('last', s, s[s.length - 1]);
  },
  rotate: (rng) => {
    const s = wordOrLetters(rng, 3, 8);
    return instruction('rotate', s, s.slice(1) + s[0]);
  },
  swap: (rng) => {
    const s = wordOrLetters(rng, 3, 8);
    return instruction('swap', s, s[s.length - 1] + s.slice(1, -1) + s[0]);
  },
  length: (rng) => {
    const s = wordOrLetters(rng, 1, 12);
    return instruction('length', s, String(s.length));
  },
  min: (rng) => {
    const d = randomDigits(rng, 3, 8);
    return instruction('min', d, [...d].reduce((a, b) => (b < a ? b : a)));
  },
  max: (rng) => {
    const d = randomDigits(rng, 3, 8);
    return instruction('max', d, [...d].reduce((a, b) => (b > a ? b : a)));
  },
  count: (rng) => {
    const d = randomDigits(rng, 4, 10);
    const target = d[rng.nextInt(d.length)];
    return instruction(`count ${target}`, d, String([...d].filter((c) => c === target).length));
  },
  next: (rng) => {
    const n = intBetween(rng, 0, 10 ** intBetween(rng, 1, 4) - 1);
    return instruction('next', String(n), String(n + 1));
  },
  countUp: (rng) => {
    const n = intBetween(rng, 0, 995);
    return instruction('count from', String(n), [0, 1, 2, 3, 4].map((k) => n + k).join(' '));
  },
  bigger: (rng) => {
    const a = intBetween(rng, 0, 999);
    const b = intBetween(rng, 0, 999);
    return instruction('bigger', `${a} ${b}`, String(Math.max(a, b)));
  },
  wordSum: (rng) => {
    const a = intBetween(rng, 0, 5);
    const b = intBetween(rng, 0, 5);
    return `${NUMBER_WORDS[a]} and ${NUMBER_WORDS[b]} make ${NUMBER_WORDS[a + b]}`;
  },
  sentence: (rng) => `the ${pick(rng, ADJECTIVES)} ${pick(rng, NOUNS)} ${pick(rng, VERBS)} the ${pick(rng, NOUNS)}.`,
  inventory: (rng) => `${intBetween(rng, 2, 99)} ${pick(rng, NOUNS)}s, ${intBetween(rng, 2, 99)} ${pick(rng, NOUNS)}s`,
  letters: (rng) => {
    const start = rng.nextInt(22);
    return instruction('letters from', LOWERCASE[start], LOWERCASE.slice(start, start + 5).split('').join(' '));
  },
};

/** `count` records (without BOS/EOS), kinds drawn uniformly, deterministic from the seed. */
export function generateCorpusRecords(seed: number, count: number): string[] {
  const rng = Rng.derive(seed, 'pretraining-corpus');
  const makers = Object.values(CORPUS_RECORD_KINDS);
  const out: string[] = [];
  for (let i = 0; i < count; i++) out.push(makers[rng.nextInt(makers.length)](rng));
  return out;
}

/** Instructions of the demo tasks, which the corpus must not contain (checked by the tests). */
export const DEMO_INSTRUCTIONS = ['copy:', 'reverse:', 'sort:', 'add:'];
