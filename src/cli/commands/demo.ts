// `thanora demo` (npm run demo): the whole mission on the embedded default — ThanoRA on the demo tasks with
// the shipped byte-level base model, then before/after accuracy, the rank allocation per task, and the merged
// model; `--compare lora` trains a baseline with the same budget and prints both side by side.
import * as path from 'path';
import { mergeCheckpoint } from '../../core/merge';
import { readRunEvents } from '../../core/run-folder';
import { runTraining, RunTrainingResult } from '../../core/train/run-training';
import { METHOD_NAMES, MethodName } from '../../core/method/method-registry';
import { AllocationEvent, EvalEvent, RunEvent } from '../../protocol/run-events';
import { UsageError } from '../cli-error';
import type { CliCommand } from '../main';
import { ProgressLine } from '../progress-line';
import { parseOptions } from '../parse-options';
import { describeEvent } from './train';

const repoRoot = path.resolve(__dirname, '../../../..');
const baselines = METHOD_NAMES.filter((m) => m !== 'thanora');

interface DemoRun {
  method: MethodName;
  result: RunTrainingResult;
  before?: EvalEvent;
  after?: EvalEvent;
  allocation?: AllocationEvent;
  seconds: number;
}

const pct = (x: number | undefined) => (x === undefined ? '   –  ' : `${(100 * x).toFixed(1).padStart(5)}%`);

function evalTable(runs: DemoRun[]): string {
  const tasks = runs[0].after?.tasks.map((t) => t.task) ?? [];
  const header = ['task'.padEnd(10), 'base'.padStart(7), ...runs.map((r) => r.method.padStart(9))].join(' ');
  const rows = tasks.map((task) => {
    const base = runs[0].before?.tasks.find((t) => t.task === task)?.accuracy;
    return [task.padEnd(10), pct(base).padStart(7), ...runs.map((r) => pct(r.after?.tasks.find((t) => t.task === task)?.accuracy).padStart(9))].join(' ');
  });
  const mean = (e?: EvalEvent) => (e ? e.tasks.reduce((s, t) => s + t.accuracy, 0) / e.tasks.length : undefined);
  rows.push(['mean'.padEnd(10), pct(mean(runs[0].before)).padStart(7), ...runs.map((r) => pct(mean(r.after)).padStart(9))].join(' '));
  rows.push(['time'.padEnd(10), ''.padStart(7), ...runs.map((r) => `${r.seconds.toFixed(0)} s`.padStart(9))].join(' '));
  return [header, ...rows].join('\n');
}

/** Mean rank per task over all modules, and per layer: where HASI put each task's share. */
function allocationSummary(e: AllocationEvent, tasks: string[]): string {
  const layers = [...new Set(e.modules.map((m) => m.layer))].sort((a, b) => a - b);
  const meanRanks = (mods: AllocationEvent['modules']) => tasks.map((_, t) => mods.reduce((s, m) => s + m.ranks[t], 0) / mods.length);
  const meanEntropy = (t: number) => e.modules.reduce((s, m) => s + m.entropies[t], 0) / e.modules.length;
  const lines = [`${'task'.padEnd(10)} ${'mean r_t'.padStart(8)} ${'mean H_t'.padStart(8)}  ${layers.map((l) => `L${l}`.padStart(5)).join('')}`];
  const overall = meanRanks(e.modules);
  tasks.forEach((task, t) => {
    const perLayer = layers.map((l) => meanRanks(e.modules.filter((m) => m.layer === l))[t].toFixed(1).padStart(5)).join('');
    lines.push(`${task.padEnd(10)} ${overall[t].toFixed(2).padStart(8)} ${meanEntropy(t).toFixed(3).padStart(8)}  ${perLayer}`);
  });
  const coop = e.modules.reduce((s, m) => s + m.cooperativeRank, 0) / e.modules.length;
  lines.push(`${'shared'.padEnd(10)} ${coop.toFixed(2).padStart(8)}`);
  return lines.join('\n');
}

async function trainOne(experiment: string, method: MethodName, progress: ProgressLine): Promise<DemoRun> {
  const t0 = Date.now();
  let total = 0;
  progress.log(`— training ${method} —`);
  const result = await runTraining(experiment, { method: { name: method }, label: method, onLog: (l) => progress.log(l), onProgress: (l) => progress.status(l) }, (e: RunEvent) => {
    if (e.type === 'start') total = e.totalSteps;
    if (e.type === 'step') progress.update(e.step, total, `${method} loss ${e.loss.toFixed(4)}`);
    const line = describeEvent(e);
    if (line && e.type !== 'allocation') progress.log(line);
  });
  progress.end();
  if (result.state !== 'finished') throw new Error(`the ${method} run ${result.state}${result.error ? `: ${result.error}` : ''} (${result.runDir})`);
  const events = readRunEvents(result.runDir);
  const evals = events.filter((e): e is EvalEvent => e.type === 'eval');
  return {
    method,
    result,
    before: evals.find((e) => e.step === 0),
    after: evals[evals.length - 1],
    allocation: events.find((e): e is AllocationEvent => e.type === 'allocation'),
    seconds: (Date.now() - t0) / 1000,
  };
}

export const demoCommand: CliCommand = {
  summary: 'train ThanoRA on the embedded demo (base model + 4 tasks), merge, and report',
  usage: `thanora demo [--compare ${baselines.join('|')}] [--experiment examples/demo/thanora.json]`,
  async run(args) {
    const { values } = parseOptions(args, { compare: { type: 'string' }, experiment: { type: 'string' } });
    const given = values.compare as string | undefined;
    const compare = baselines.find((m) => m === given);
    if (given !== undefined && !compare) throw new UsageError(`--compare takes ${baselines.join(', ')}, got '${given}'`);
    const experiment = path.resolve((values.experiment as string | undefined) ?? path.join(repoRoot, 'examples/demo/thanora.json'));
    const progress = new ProgressLine();
    const runs = [await trainOne(experiment, 'thanora', progress)];
    if (compare) runs.push(await trainOne(experiment, compare, progress));
    const merged = await mergeCheckpoint(runs[0].result.runDir);
    const tasks = runs[0].after?.tasks.map((t) => t.task) ?? [];
    console.log('\nEval accuracy (exact match of the greedy completion), before and after training:');
    console.log(evalTable(runs));
    if (runs[0].allocation) {
      console.log('\nThanoRA rank allocation (HASI), mean over the adapted modules and per layer:');
      console.log(allocationSummary(runs[0].allocation, tasks));
    }
    console.log(`\nRun folders:\n${runs.map((r) => `  ${r.method.padEnd(8)} ${r.result.runDir}`).join('\n')}`);
    console.log(`Merged ThanoRA model: ${path.join(merged.outDir, 'model.onnx')} (verification ${merged.report.pass ? 'passed' : 'FAILED'})`);
    console.log(`Try it: npx thanora generate --model ${path.relative(process.cwd(), path.join(merged.outDir, 'model.onnx'))} --prompt $'reverse: stone\\n'`);
  },
};
