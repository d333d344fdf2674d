// The editor dashboard's sweep table, as data: one row per configuration of the sweep (its grid values without
// the seed), the runs behind it (one per seed, to select), and per task the accuracy over the seeds as
// mean ± std and the paired difference to the baseline with its spread and number of pairs, written as in the
// sweep's results.md. Pure, so it is unit-tested; sweep-table.ts builds the DOM.
import { spreadText, valueText } from '../../src/core/sweep/spread-text';
import type { ConfigPoint, SweepSummary } from '../../src/protocol/sweep-results';

export interface SweepCell {
  text: string;
  title: string;
}

export interface SweepTableModel {
  /** What the numbers are, and the run counts by state. */
  note: string;
  /** Column heads: the axes, "runs", then per task its accuracy (and Δ with a baseline). */
  head: SweepCell[];
  rows: { isBaseline: boolean; values: string[]; runs: { point: ConfigPoint; text: string }[]; cells: SweepCell[] }[];
}

const taskName = (task: string) => (task === 'mean' ? 'mean over tasks' : task);

export function sweepTableModel(sweep: SweepSummary): SweepTableModel {
  const results = sweep.results!;
  const hasBaseline = Object.keys(results.baseline).length > 0;
  const baselineText = Object.entries(results.baseline).map(([k, v]) => `${k} = ${valueText(v)}`).join(', ');
  const states = Object.entries(results.states).map(([s, n]) => `${n} ${s}`).join(', ');
  const head: SweepCell[] = [
    ...results.axes.map((a) => ({ text: a, title: `Swept option ${a}` })),
    { text: 'runs', title: "This configuration's runs, one per seed, with their state; click one to show it" },
  ];
  for (const task of results.tasks) {
    head.push({ text: `${taskName(task)} %`, title: `Last eval accuracy of ${taskName(task)} (exact match, %), mean ± sample std over the seeds` });
    if (hasBaseline) head.push({ text: `Δ ${taskName(task)}`, title: `Paired difference to the baseline (${baselineText}) in points, seed by seed: mean ± std (pairs)` });
  }
  return {
    note:
      `Runs: ${states}. Accuracy (%) of each run's last eval, mean ± sample standard deviation over the seeds.` +
      (hasBaseline ? ` Δ: paired difference to the baseline (${baselineText}), seed by seed, mean ± std (pairs).` : ''),
    head,
    rows: results.configs.map((c) => {
      const cells: SweepCell[] = [];
      for (const r of c.tasks) {
        cells.push({ text: spreadText(r.accuracy, 1, 100), title: `${taskName(r.task)}: accuracy ${spreadText(r.accuracy, 2, 100)} %, eval loss ${spreadText(r.loss, 4)} (${r.accuracy.n} runs)` });
        if (hasBaseline) {
          cells.push(
            c.isBaseline
              ? { text: '', title: 'the baseline' }
              : { text: spreadText(r.deltaAccuracy, 1, 100, true), title: `${taskName(r.task)}: Δ accuracy ${spreadText(r.deltaAccuracy, 2, 100, true)} points, Δ eval loss ${spreadText(r.deltaLoss, 4, 1, true)}` },
          );
        }
      }
      return {
        isBaseline: c.isBaseline,
        values: results.axes.map((a) => valueText(c.values[a])),
        runs: c.points.map((point) => ({ point, text: `${point.seed === undefined ? 'run' : `seed ${valueText(point.seed)}`}: ${point.state}` })),
        cells,
      };
    }),
  };
}
