// `thanora sweep`: the planned runs one after another in one sweep folder, then the results table. Resuming
// (`--resume <sweep folder>`) goes through the points again: a finished or diverged run is a result and is
// kept; a stopped, interrupted or failed one continues from its last checkpoint (or starts over when it has
// none); a point without a run starts one. A stop (signal) ends the sweep after the current run's step.
import * as path from 'path';
import { ExperimentConfig } from '../experiment/experiment-config';
import { LoadExperimentOptions } from '../experiment/load-experiment';
import { Device } from '../runtime/session';
import { SweepFolder, SweepPointRecord, lastCheckpoint, readRunStatus } from '../run-folder';
import { RunTrainingResult, runTraining } from '../train/run-training';
import { RunEvent } from '../../protocol/run-events';
import type { SweepResults } from '../../protocol/sweep-results';
import { planSweep } from './sweep-plan';
import { sweepResultsOf } from './sweep-folder-results';

export interface SweepOptions extends LoadExperimentOptions {
  device?: Device;
  threads?: number;
  signal?: AbortSignal;
  onLog?: (line: string) => void;
  onProgress?: (line: string) => void;
  /** Each run's events, with the point being trained. */
  onEvent?: (e: RunEvent, point: SweepPointRecord) => void;
}

export interface SweepOutcome {
  sweepDir: string;
  /** 'stopped' by the signal; 'finished' when every point has a result (some may be failed runs). */
  state: 'finished' | 'stopped';
  results: SweepResults;
  markdown: string;
}

const kept = new Set(['finished', 'diverged']);

async function trainPoint(folder: SweepFolder, point: SweepPointRecord, options: SweepOptions): Promise<RunTrainingResult | undefined> {
  const existing = folder.runDirOf(point);
  const state = existing ? readRunStatus(existing)?.state : undefined;
  if (state && kept.has(state)) return undefined;
  const common = {
    device: options.device,
    threads: options.threads,
    signal: options.signal,
    onLog: options.onLog,
    onProgress: options.onProgress,
  };
  const onEvent = (e: RunEvent) => options.onEvent?.(e, point);
  const resumable = existing && lastCheckpoint(existing);
  options.onLog?.(`sweep point ${point.index + 1}/${folder.points.length} ${point.label}: ${resumable ? `resuming ${path.basename(existing)}` : 'new run'}`);
  const result = resumable
    ? await runTraining('', { ...common, resumeFrom: existing }, onEvent)
    : await runTraining('', { ...common, config: { ...(point.config as ExperimentConfig), output: folder.dir }, runsDir: folder.dir, label: point.label }, onEvent);
  if (result.runDir) folder.recordRunDir(point.index, result.runDir);
  if (result.state === 'failed') options.onLog?.(`sweep point ${point.label} failed: ${result.error}`);
  return result;
}

/** Runs a new sweep from `experimentFile`'s sweep block, or continues the sweep folder `resume`. */
export async function runSweep(target: { experimentFile: string } | { resume: string }, options: SweepOptions = {}): Promise<SweepOutcome> {
  let folder: SweepFolder;
  if ('resume' in target) {
    folder = SweepFolder.open(target.resume, true);
  } else {
    const plan = planSweep(target.experimentFile, options);
    const output = plan.points[0].config.output;
    folder = SweepFolder.create(output, {
      experimentFile: plan.experimentFile,
      created: new Date().toISOString(),
      grid: plan.grid,
      baseline: plan.baseline,
      points: plan.points.map((p) => ({ index: p.index, label: p.label, values: p.values, config: p.config })),
    });
  }
  try {
    let state: SweepOutcome['state'] = 'finished';
    for (const point of folder.points) {
      if (options.signal?.aborted) {
        state = 'stopped';
        break;
      }
      const result = await trainPoint(folder, point, options);
      if (result?.state === 'stopped') {
        state = 'stopped';
        break;
      }
    }
    const { results, markdown, csv } = sweepResultsOf(folder);
    folder.writeResults(markdown, csv);
    return { sweepDir: folder.dir, state, results, markdown };
  } finally {
    folder.release();
  }
}
