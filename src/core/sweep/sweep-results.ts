// A sweep's results: per configuration (the grid point without the seed) and per task, the last eval of each
// finished run, as mean ± sample standard deviation over the seeds, and the paired difference to the
// configuration's baseline (the same point with sweep.baseline's values), seed by seed:
//   d_s = x(config, s) − x(baseline, s) over the seeds both have finished;  mean ± std of d_s.
// "mean" is the mean over the tasks of each run. Written as Markdown (results.md) and CSV (results.csv).
import { EvalEvent } from '../../protocol/run-events';
import type { ConfigResult, Spread, SweepResults, TaskResult } from '../../protocol/sweep-results';
import { SEED_PATH } from './sweep-plan';
import { spreadText, valueText } from './spread-text';

export interface SweepRunOutcome {
  values: Record<string, unknown>;
  /** The run's state (run-status), 'not started' when it has no run folder yet. */
  state: string;
  /** The last eval of a finished run. */
  tasks?: EvalEvent['tasks'];
  runDir?: string;
}

export function spread(xs: readonly number[]): Spread {
  const n = xs.length;
  if (n === 0) return { n };
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  const std = n < 2 ? undefined : Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1));
  return { n, mean, std };
}

const keyOf = (values: Record<string, unknown>) => JSON.stringify(Object.entries(values).filter(([k]) => k !== SEED_PATH));
const seedOf = (values: Record<string, unknown>) => JSON.stringify(values[SEED_PATH] ?? null);

/** Per run, task name → [accuracy, loss]; "mean" averages over the tasks. */
function perTask(run: SweepRunOutcome, tasks: readonly string[]): Map<string, [number, number]> | undefined {
  if (!run.tasks) return undefined;
  const out = new Map<string, [number, number]>();
  for (const t of run.tasks) out.set(t.task, [t.accuracy, t.loss]);
  const named = tasks.filter((t) => t !== 'mean').map((t) => out.get(t)!);
  out.set('mean', [named.reduce((s, v) => s + v[0], 0) / named.length, named.reduce((s, v) => s + v[1], 0) / named.length]);
  return out;
}

export function summarizeSweep(runs: readonly SweepRunOutcome[], grid: Record<string, unknown[]>, baseline: Record<string, unknown>, taskNames: readonly string[]): SweepResults {
  const axes = Object.keys(grid).filter((k) => k !== SEED_PATH);
  const tasks = [...taskNames, 'mean'];
  const groups = new Map<string, SweepRunOutcome[]>();
  for (const run of runs) groups.set(keyOf(run.values), [...(groups.get(keyOf(run.values)) ?? []), run]);
  const states: Record<string, number> = {};
  for (const run of runs) states[run.state] = (states[run.state] ?? 0) + 1;
  const hasBaseline = Object.keys(baseline).length > 0;
  const bySeed = (group: readonly SweepRunOutcome[]) => new Map(group.flatMap((r) => (r.tasks ? [[seedOf(r.values), perTask(r, tasks)!] as const] : [])));
  const configs: ConfigResult[] = [...groups.values()].map((group) => {
    const values = Object.fromEntries(axes.map((a) => [a, group[0].values[a]]));
    const partner = { ...values, ...baseline };
    const isBaseline = hasBaseline && keyOf(partner) === keyOf(values);
    const own = bySeed(group);
    const reference = hasBaseline && !isBaseline ? bySeed(groups.get(keyOf(partner)) ?? []) : undefined;
    return {
      values,
      runs: group.length,
      finished: own.size,
      isBaseline,
      points: group.map((r) => ({ seed: r.values[SEED_PATH], state: r.state, runDir: r.runDir })),
      tasks: tasks.map((task) => {
        const result: TaskResult = {
          task,
          accuracy: spread([...own.values()].map((m) => m.get(task)![0])),
          loss: spread([...own.values()].map((m) => m.get(task)![1])),
        };
        if (reference) {
          const paired = [...own.entries()].filter(([seed]) => reference.has(seed));
          result.deltaAccuracy = spread(paired.map(([seed, m]) => m.get(task)![0] - reference.get(seed)!.get(task)![0]));
          result.deltaLoss = spread(paired.map(([seed, m]) => m.get(task)![1] - reference.get(seed)!.get(task)![1]));
        }
        return result;
      }),
    };
  });
  return { axes, tasks, baseline, configs, states };
}

export function sweepMarkdown(results: SweepResults, title: string): string {
  const { axes, baseline } = results;
  const states = Object.entries(results.states).map(([s, n]) => `${n} ${s}`).join(', ');
  const hasBaseline = Object.keys(baseline).length > 0;
  const lines = [
    `# ${title}`,
    '',
    `Runs: ${states}. Each run's last eval: accuracy (exact match, %) and eval loss, mean ± sample standard deviation over ${SEED_PATH} (n runs).`,
  ];
  if (hasBaseline) {
    lines.push(`Δ: paired difference to the baseline (${Object.entries(baseline).map(([k, v]) => `${k} = ${valueText(v)}`).join(', ')}), seed by seed, mean ± standard deviation (pairs).`);
  }
  const header = [...axes, 'n', 'accuracy %', ...(hasBaseline ? ['Δ accuracy'] : []), 'eval loss', ...(hasBaseline ? ['Δ loss'] : [])];
  results.tasks.forEach((task, t) => {
    lines.push('', `## ${task === 'mean' ? 'mean over tasks' : task}`, '', `| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`);
    for (const c of results.configs) {
      const r = c.tasks[t];
      const names = axes.map((a, i) => valueText(c.values[a]) + (i === 0 && c.isBaseline ? ' (baseline)' : ''));
      const delta = (s: Spread | undefined, digits: number, scale?: number) => (hasBaseline ? [c.isBaseline ? '' : spreadText(s, digits, scale, true)] : []);
      lines.push(`| ${[...names, `${c.finished}/${c.runs}`, spreadText(r.accuracy, 1, 100), ...delta(r.deltaAccuracy, 1, 100), spreadText(r.loss, 4), ...delta(r.deltaLoss, 4)].join(' | ')} |`);
    }
  });
  return lines.join('\n') + '\n';
}

const csvField = (v: unknown) => {
  const text = v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v);
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

/** One row per configuration and task; accuracy as a fraction, as in the run's eval events. */
export function sweepCsv(results: SweepResults): string {
  const stats = ['accuracy', 'loss', 'delta_accuracy', 'delta_loss'];
  const header = [...results.axes, 'task', 'runs', 'finished', 'baseline', ...stats.flatMap((s) => [`${s}_mean`, `${s}_std`, `${s}_n`])];
  const rows = results.configs.flatMap((c) =>
    c.tasks.map((r) => {
      const spreads = [r.accuracy, r.loss, r.deltaAccuracy, r.deltaLoss];
      return [...results.axes.map((a) => c.values[a]), r.task, c.runs, c.finished, c.isBaseline, ...spreads.flatMap((s) => [s?.mean, s?.std, s?.n])];
    }),
  );
  return [header, ...rows].map((row) => row.map(csvField).join(',')).join('\n') + '\n';
}
