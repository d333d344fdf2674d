// What a sweep folder holds now, as its results table: each point's run (recorded or found by its label),
// its state, and the last eval of the finished ones, summarized by sweep-results.ts. Reads only, so `thanora
// sweep --results`, the end of a sweep and the dashboard (while a sweep runs) share it.
import * as path from 'path';
import { ExperimentConfig } from '../experiment/experiment-config';
import { SweepFolder, SweepPointRecord, isSweepFolder, readRunEvents, readRunStatus } from '../run-folder';
import type { EvalEvent, RunSummary } from '../../protocol/run-events';
import type { SweepResults, SweepSummary } from '../../protocol/sweep-results';
import { SweepRunOutcome, summarizeSweep, sweepCsv, sweepMarkdown } from './sweep-results';

function outcomeOf(folder: SweepFolder, point: SweepPointRecord): SweepRunOutcome {
  const runDir = folder.runDirOf(point);
  const state = runDir ? (readRunStatus(runDir)?.state ?? 'unknown') : 'not started';
  if (state !== 'finished') return { values: point.values, state, runDir };
  const evals = readRunEvents(runDir!).filter((e): e is EvalEvent => e.type === 'eval');
  return { values: point.values, state, tasks: evals[evals.length - 1]?.tasks, runDir };
}

/** What the sweep folder holds now, summarized (Markdown and CSV). */
export function sweepResultsOf(folder: SweepFolder): { results: SweepResults; markdown: string; csv: string } {
  const { grid, baseline } = folder.info;
  const tasks = (folder.points[0].config as ExperimentConfig).tasks.map((t) => t.name);
  const results = summarizeSweep(folder.points.map((p) => outcomeOf(folder, p)), grid, baseline, tasks);
  return { results, markdown: sweepMarkdown(results, `Sweep ${path.basename(folder.dir)}`), csv: sweepCsv(results) };
}

/**
 * The sweeps the listed runs belong to (a sweep's runs live in its folder, so their experimentDir is it), each
 * with its results as they stand, or why they cannot be read (the runs stay listed either way).
 */
export function listSweeps(runs: readonly RunSummary[]): SweepSummary[] {
  const dirs = [...new Set(runs.map((r) => r.experimentDir))].filter(isSweepFolder).sort();
  return dirs.map((dir) => {
    const summary = { sweepDir: dir, name: path.basename(dir) };
    try {
      const folder = SweepFolder.open(dir);
      return { ...summary, experimentFile: folder.info.experimentFile, results: sweepResultsOf(folder).results };
    } catch (e) {
      return { ...summary, error: `cannot read the sweep ${dir}: ${(e as Error).message}` };
    }
  });
}
