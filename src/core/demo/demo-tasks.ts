// The demo's four tasks, in rising complexity, as prompt / completion pairs (the prompt_completion format of
// src/core/data: the loss covers the completion and the EOS the loader appends):
//   copy     "copy: kqzt\n"      → "kqzt"     repeat the input            (one attention lookup per byte)
//   reverse  "reverse: kqzt\n"   → "tzqk"     mirror the positions        (position arithmetic)
//   sort     "sort: 83915\n"     → "13589"    sort the digits ascending   (counting, global comparisons)
//   add      "add: 47+85\n"      → "132"      integer sum                 (digit alignment and carries)
// None of these instructions appears in the pretraining corpus (see corpus.ts), so the base model has to
// learn each mapping from the adapter; every example fits in 40 byte tokens with BOS and EOS.
import { Rng } from '../data/rng';
import { intBetween, randomDigits, wordOrLetters } from './vocabulary';

export interface PromptCompletion {
  prompt: string;
  completion: string;
}

export interface DemoTask {
  name: string;
  /** One line for the README and the run log. */
  description: string;
  generate(rng: Rng): PromptCompletion;
}

export const DEMO_TASKS: readonly DemoTask[] = [
  {
    name: 'copy',
    description: 'repeat a word or random letters (3-8 characters)',
    generate: (rng) => {
      const s = wordOrLetters(rng, 3, 8);
      return { prompt: `copy: ${s}\n`, completion: s };
    },
  },
  {
    name: 'reverse',
    description: 'reverse a word or random letters (3-7 characters)',
    generate: (rng) => {
      const s = wordOrLetters(rng, 3, 7);
      return { prompt: `reverse: ${s}\n`, completion: [...s].reverse().join('') };
    },
  },
  {
    name: 'sort',
    description: 'sort 4-7 digits ascending',
    generate: (rng) => {
      const digits = randomDigits(rng, 4, 7);
      return { prompt: `sort: ${digits}\n`, completion: [...digits].sort().join('') };
    },
  },
  {
    name: 'add',
    description: 'add two integers of 1-2 digits',
    generate: (rng) => {
      const a = intBetween(rng, 0, 10 ** intBetween(rng, 1, 2) - 1);
      const b = intBetween(rng, 0, 10 ** intBetween(rng, 1, 2) - 1);
      return { prompt: `add: ${a}+${b}\n`, completion: String(a + b) };
    },
  },
];

/** What examples/demo/data holds: seed 1, 1000 train and 100 eval examples per task. */
export const DEMO_DATA_DEFAULTS = { seed: 1, trainCount: 1000, evalCount: 100 };

export interface DemoSplits {
  train: PromptCompletion[];
  eval: PromptCompletion[];
}

/**
 * Train and eval examples of one task, deterministic from (seed, task name). Eval prompts never occur in
 * train, so eval accuracy measures the skill, not recall.
 */
export function generateDemoSplits(task: DemoTask, seed: number, trainCount: number, evalCount: number): DemoSplits {
  const rng = Rng.derive(seed, 'demo-task', task.name);
  const seen = new Set<string>();
  const draw = (count: number): PromptCompletion[] => {
    const out: PromptCompletion[] = [];
    // Small tasks can run out of distinct prompts; the bound stops a loop that could never finish.
    for (let attempts = 0; out.length < count; attempts++) {
      if (attempts > count * 50) {
        throw new Error(`demo task '${task.name}': only ${out.length} distinct prompts after ${attempts} draws; ask for fewer than ${count}`);
      }
      const example = task.generate(rng);
      if (seen.has(example.prompt)) continue;
      seen.add(example.prompt);
      out.push(example);
    }
    return out;
  };
  const evalSet = draw(evalCount);
  return { train: draw(trainCount), eval: evalSet };
}

/** JSON Lines text of prompt / completion records. */
export function toJsonl(examples: readonly PromptCompletion[]): string {
  return examples.map((e) => JSON.stringify({ prompt: e.prompt, completion: e.completion })).join('\n') + '\n';
}
