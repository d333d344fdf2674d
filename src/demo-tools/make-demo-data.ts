// Writes a task suite's JSON Lines files, deterministic from a seed:
//   node out/src/demo-tools/make-demo-data.js [--suite demo|study] [--seed 1] [--out DIR] [--train 1000] [--eval 100]
// demo (default): the demo's tasks into examples/demo/data; study: docs/study.md's second suite into
// examples/study/data.
import * as path from 'path';
import { parseArgs } from 'util';
import { writeFileAtomic } from '../core/io/atomic-write';
import { DEMO_DATA_DEFAULTS, DEMO_TASKS, DemoTask, generateDemoSplits, toJsonl } from '../core/demo/demo-tasks';
import { STUDY_TASKS } from '../core/demo/study-tasks';

const SUITES: Record<string, { tasks: readonly DemoTask[]; out: string }> = {
  demo: { tasks: DEMO_TASKS, out: 'examples/demo/data' },
  study: { tasks: STUDY_TASKS, out: 'examples/study/data' },
};

function count(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got '${value}'`);
  return n;
}

function main(): void {
  const { values } = parseArgs({
    options: { suite: { type: 'string' }, seed: { type: 'string' }, out: { type: 'string' }, train: { type: 'string' }, eval: { type: 'string' } },
    strict: true,
  });
  const suite = SUITES[values.suite ?? 'demo'];
  if (!suite) throw new Error(`--suite must be one of ${Object.keys(SUITES).join(', ')}, got '${values.suite}'`);
  const seed = values.seed === undefined ? DEMO_DATA_DEFAULTS.seed : count(values.seed, 'seed', 0);
  const trainCount = count(values.train, 'train', DEMO_DATA_DEFAULTS.trainCount);
  const evalCount = count(values.eval, 'eval', DEMO_DATA_DEFAULTS.evalCount);
  const outDir = path.resolve(values.out ?? suite.out);
  for (const task of suite.tasks) {
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
