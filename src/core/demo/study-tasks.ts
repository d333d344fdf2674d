// The second task suite of docs/study.md, on which ThanoRA's defaults are chosen (the demo suite is kept for
// reporting only). Same byte-level demo model, same prompt / completion format, other mappings:
//   stutter   "stutter: kqzt\n"   → "kkqqzztt"   each letter twice             (attention to a moving position)
//   skip      "skip: kqztab\n"    → "kza"        every other letter, from the 1st (position parity)
//   sub       "sub: 85-47\n"      → "38"         difference, first ≥ second     (digit alignment and borrows)
//   digitsum  "digitsum: 4721\n"  → "14"         sum of 3-5 digits              (accumulation over the input)
// None of these instructions appears in the pretraining corpus (corpus.ts) or in the demo suite; every
// example fits in 40 byte tokens with BOS and EOS.
import { DemoTask } from './demo-tasks';
import { intBetween, randomDigits, wordOrLetters } from './vocabulary';

export const STUDY_TASKS: readonly DemoTask[] = [
  {
    name: 'stutter',
    description: 'each letter of a word or random letters (3-6 characters) twice',
    generate: (rng) => {
      const s = wordOrLetters(rng, 3, 6);
      return { prompt: `stutter: ${s}\n`, completion: [...s].map((c) => c + c).join('') };
    },
  },
  {
    name: 'skip',
    description: 'every other letter of a word or random letters (4-8 characters), from the first',
    generate: (rng) => {
      const s = wordOrLetters(rng, 4, 8);
      return { prompt: `skip: ${s}\n`, completion: [...s].filter((_, i) => i % 2 === 0).join('') };
    },
  },
  {
    name: 'sub',
    description: 'subtract two integers of 1-2 digits, the first not smaller',
    generate: (rng) => {
      const x = intBetween(rng, 0, 10 ** intBetween(rng, 1, 2) - 1);
      const y = intBetween(rng, 0, 10 ** intBetween(rng, 1, 2) - 1);
      const [a, b] = x >= y ? [x, y] : [y, x];
      return { prompt: `sub: ${a}-${b}\n`, completion: String(a - b) };
    },
  },
  {
    name: 'digitsum',
    description: 'sum of 3-5 digits',
    generate: (rng) => {
      const digits = randomDigits(rng, 3, 5);
      return { prompt: `digitsum: ${digits}\n`, completion: String([...digits].reduce((acc, d) => acc + Number(d), 0)) };
    },
  },
];
