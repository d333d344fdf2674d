// A job folder (export-job.ts) after train.py ran, finished or still running, as a run: it must hold the run
// files train.py writes (metrics.jsonl with a start event, status.json); it is copied whole into the runs folder
// (the experiment's output, or `into`) as <runsDir>/<runId>, replacing an earlier import of the same job.
import * as fs from 'fs';
import * as path from 'path';
import { commitFolder, discardFolder, stageFolder } from '../io/folder-commit';
import { readRecordedStatus, readRunEvents, summarizeRun } from '../run-folder';
import { RUN_FILES, RunSummary } from '../../protocol/run-events';
import { ExperimentConfig } from '../experiment/experiment-config';
import { JOB_FILES, JobSpec } from './job-spec';

export interface ImportedRun extends RunSummary {
  steps: number;
  lastLoss: number | null;
}

export function importJobRun(jobDir: string, options: { into?: string } = {}): ImportedRun {
  const dir = path.resolve(jobDir);
  const specFile = path.join(dir, JOB_FILES.spec);
  if (!fs.existsSync(specFile)) throw new Error(`${dir} has no ${JOB_FILES.spec}; pass a folder written by \`thanora export-job\``);
  const spec = JSON.parse(fs.readFileSync(specFile, 'utf8')) as JobSpec;
  const events = fs.existsSync(path.join(dir, RUN_FILES.metrics)) ? readRunEvents(dir) : [];
  if (!events.some((e) => e.type === 'start')) throw new Error(`${path.join(dir, RUN_FILES.metrics)} has no start event yet; train.py has not run in this folder (launch it, then sync the folder back)`);
  if (!readRecordedStatus(dir)) throw new Error(`${path.join(dir, RUN_FILES.status)} is missing or unreadable; sync the whole job folder back`);
  const config = JSON.parse(fs.readFileSync(path.join(dir, RUN_FILES.config), 'utf8')) as ExperimentConfig;
  const runsDir = path.resolve(options.into ?? config.output);
  const target = path.join(runsDir, spec.runId);
  if (target !== dir) {
    const staged = stageFolder(target);
    try {
      fs.cpSync(dir, staged, { recursive: true });
    } catch (e) {
      discardFolder(staged);
      throw e;
    }
    commitFolder(staged, target);
  }
  const steps = events.filter((e) => e.type === 'step');
  const last = steps[steps.length - 1];
  return { ...summarizeRun(target), steps: steps.length, lastLoss: last && last.type === 'step' ? last.loss : null };
}
