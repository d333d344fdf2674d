// Writes the demo tasks' JSON Lines files, deterministic from a seed:
//   node out/src/demo-tools/make-demo-data.js [--seed 1] [--out examples/demo/data] [--train 1000] [--eval 100]
import * as path from 'path';
import { parseArgs } from 'util';
import { writeFileAtomic } from '../core/io/atomic-write';
import { DEMO_DATA_DEFAULTS, DEMO_TASKS, generateDemoSplits, toJsonl } from '../core/demo/demo-tasks';

function count(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got '${value}'`);
  return n;
}

function main(): void {
  const { values } = parseArgs({
    options: { seed: { type: 'string' }, out: { type: 'string' }, train: { type: 'string' }, eval: { type: 'string' } },
    strict: true,
  });
  const seed = values.seed === undefined ? DEMO_DATA_DEFAULTS.seed : count(values.seed, 'seed', 0);
  const trainCount = count(values.train, 'train', DEMO_DATA_DEFAULTS.trainCount);
  const evalCount = count(values.eval, 'eval', DEMO_DATA_DEFAULTS.evalCount);
  const outDir = path.resolve(values.out ?? 'examples/demo/data');
  for (const task of DEMO_TASKS) {
    const splits = generateDemoSplits(task, seed, trainCount, evalCount);
    writeFileAtomic(path.join(outDir, `${task.name}.train.jsonl`), toJsonl(splits.train));
    writeFileAtomic(path.join(outDir, `${task.name}.eval.jsonl`), toJsonl(splits.eval));
    console.log(`${task.name}: ${splits.train.length} train, ${splits.eval.length} eval — ${task.description}`);
  }
  console.log(`wrote ${outDir}`);
}

try {
  main();
} catch (e) {
  console.error(`make-demo-data: ${(e as Error).message}`);
  process.exit(1);
}
