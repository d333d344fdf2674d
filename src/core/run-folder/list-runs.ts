// Finds run folders under the runs roots (the runs-folder setting and each experiment's `output`) and
// summarises them for the dashboard's run picker. Runs in the same parent folder belong to one experiment.
import * as fs from 'fs';
import * as path from 'path';
import type { RunEvent, RunStartEvent, RunSummary } from '../../protocol/run-events';
import { isMethodName } from '../method/method-registry';
import { readRunEvents } from './metrics-log';
import { readRunNotes } from './run-notes';
import { runResults } from './run-results';
import { isRunFolder, readRunStatus } from './run-status';

/** Run folders at most `maxDepth` levels below each root (root/<experiment>/<run> is depth 2). */
export function findRunFolders(roots: readonly string[], maxDepth = 3): string[] {
  const found = new Set<string>();
  const visit = (dir: string, depth: number): void => {
    if (isRunFolder(dir)) {
      found.add(path.resolve(dir));
      return;
    }
    if (depth >= maxDepth) return;
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      if (entry.isDirectory() && !entry.name.startsWith('.') && entry.name !== 'node_modules') {
        visit(path.join(dir, entry.name), depth + 1);
      }
    }
  };
  for (const root of roots) visit(root, 0);
  return [...found].sort();
}

export function summarizeRun(runDir: string): RunSummary {
  const status = readRunStatus(runDir);
  let start: RunStartEvent | undefined;
  // status.json is rewritten at checkpoints; the metrics say how far a live run really is.
  let lastStep: number | undefined;
  let events: RunEvent[] = [];
  try {
    events = readRunEvents(runDir);
  } catch {
    // A damaged metrics.jsonl is reported when the run is opened; listed, it shows what status.json says.
  }
  for (const e of events) {
    if (e.type === 'start') start ??= e;
    else if (e.type === 'step') lastStep = e.step;
  }
  const method = start && isMethodName(start.method) ? start.method : 'unknown';
  return {
    runDir,
    runId: status?.runId ?? start?.runId ?? path.basename(runDir),
    experimentDir: path.dirname(runDir),
    label: start?.label ?? path.basename(runDir),
    method,
    state: status?.state ?? 'unknown',
    step: status?.state === 'running' ? Math.max(status.step, lastStep ?? 0) : (status?.step ?? lastStep ?? start?.fromStep ?? 0),
    totalSteps: status?.totalSteps ?? start?.totalSteps ?? 0,
    results: runResults(runDir, events),
    ...readRunNotes(runDir),
  };
}

export function listRuns(roots: readonly string[]): RunSummary[] {
  return findRunFolders(roots).map(summarizeRun);
}

/** Other runs of the same experiment (same parent folder), for overlays. */
export function siblingRuns(runs: readonly RunSummary[], runDir: string): RunSummary[] {
  const self = runs.find((r) => r.runDir === runDir);
  if (!self) return [];
  return runs.filter((r) => r.experimentDir === self.experimentDir && r.runDir !== runDir);
}
