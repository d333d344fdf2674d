// A job folder (export-job.ts) after train.py ran, finished or still running, as a run: it must hold the run
// files train.py writes (metrics.jsonl with a start event, status.json); it is copied whole into the runs folder
// (the experiment's output, or `into`) as <runsDir>/<runId>, replacing an earlier import of the same job (same
// job.json exportedAt) and never another run of the same name.
import * as fs from 'fs';
import * as path from 'path';
import { commitFolder, discardFolder, stageFolder } from '../io/folder-commit';
import { readRecordedStatus, readRunEvents, summarizeRun } from '../run-folder';
import { RUN_FILES, RunSummary } from '../../protocol/run-events';
import { ExperimentConfig } from '../experiment/experiment-config';
import { JobFolderError, JobSpec, readJobSpec } from './job-spec';

export interface ImportedRun extends RunSummary {
  steps: number;
  lastLoss: number | null;
}

function runsFolderOf(dir: string, into: string | undefined): string {
  if (into !== undefined) return path.resolve(into);
  const file = path.join(dir, RUN_FILES.config);
  if (!fs.existsSync(file)) throw new JobFolderError(`${file} is missing; sync the whole job folder back, or name the runs folder with --into`);
  let output: unknown;
  try {
    output = (JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<ExperimentConfig>).output;
  } catch (e) {
    throw new JobFolderError(`${file}: not valid JSON (${(e as Error).message}); sync the job folder back again, or name the runs folder with --into`);
  }
  if (typeof output !== 'string') throw new JobFolderError(`${file} has no "output" (the experiment's runs folder); name the runs folder with --into`);
  return output;
}

/** The target may be an earlier import of this very job; anything else of that name stays untouched. */
function checkTarget(target: string, spec: JobSpec): void {
  if (!fs.existsSync(target)) return;
  let earlier: JobSpec | undefined;
  try {
    earlier = readJobSpec(target);
  } catch {
    earlier = undefined;
  }
  if (earlier?.exportedAt !== spec.exportedAt) {
    throw new JobFolderError(`${target} already holds another run named '${spec.runId}'; rename the job folder before importing it, or import into another folder with --into`);
  }
}

export function importJobRun(jobDir: string, options: { into?: string } = {}): ImportedRun {
  const dir = path.resolve(jobDir);
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new JobFolderError(`${dir} is not a folder; pass the job folder written by \`thanora export-job\``);
  const spec = readJobSpec(dir);
  const metrics = path.join(dir, RUN_FILES.metrics);
  const events = fs.existsSync(metrics) ? readRunEvents(dir) : [];
  if (!events.some((e) => e.type === 'start')) throw new JobFolderError(`${metrics} has no start event yet; train.py has not run in this folder (launch it, then sync the folder back)`);
  if (!readRecordedStatus(dir)) throw new JobFolderError(`${path.join(dir, RUN_FILES.status)} is missing or unreadable; sync the whole job folder back`);
  const runsDir = runsFolderOf(dir, options.into);
  const target = path.join(runsDir, spec.runId);
  if (target !== dir) {
    checkTarget(target, spec);
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
