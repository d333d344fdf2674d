// The editor dashboard's runs table, as data: the runs of one experiment, each row its status and steps, the
// settings that differ between the runs (the config diff), and per task the final eval accuracy against the
// base model (the step-0 eval) and the best one. Pure, so it is unit-tested; runs-table.ts builds the DOM.
import type { RunSummary } from '../../src/protocol/webview-messages';

export interface RunsTableModel {
  /** Setting keys whose values are not the same in every run, in config order. */
  diffKeys: string[];
  tasks: string[];
  rows: { run: RunSummary; settings: string[]; accuracy: { final: string; best: string; title: string }[] }[];
}

const show = (value: unknown) => (value === undefined ? '—' : typeof value === 'string' ? value : JSON.stringify(value));
const percent = (x: number) => `${(100 * x).toFixed(1)}%`;

/** The name the user gave the run in the table, else its id. */
export function runDisplayName(run: RunSummary): string {
  return run.name ?? run.runId;
}

/** Keys set differently (or only in some runs); none for a single run. */
export function configDiff(runs: readonly RunSummary[]): string[] {
  const keys = [...new Set(runs.flatMap((r) => Object.keys(r.results.settings)))];
  return keys.filter((key) => new Set(runs.map((r) => show(r.results.settings[key]))).size > 1);
}

export function runsTableModel(runs: readonly RunSummary[]): RunsTableModel {
  const diffKeys = configDiff(runs);
  const tasks = [...new Set(runs.flatMap((r) => r.results.accuracy.map((t) => t.task)))];
  return {
    diffKeys,
    tasks,
    rows: runs.map((run) => ({
      run,
      settings: diffKeys.map((key) => show(run.results.settings[key])),
      accuracy: tasks.map((task) => {
        const t = run.results.accuracy.find((a) => a.task === task);
        if (!t) return { final: '—', best: '—', title: 'no eval yet' };
        // Δ in percentage points against the base model (the step-0 eval), when the run has one.
        const delta = t.base === null ? '' : ` (${t.final >= t.base ? '+' : '−'}${(100 * Math.abs(t.final - t.base)).toFixed(1)})`;
        return { final: `${percent(t.final)}${delta}`, best: percent(t.best), title: `base ${t.base === null ? '—' : percent(t.base)} → final ${percent(t.final)}; best ${percent(t.best)} at step ${t.bestStep}` };
      }),
    })),
  };
}

