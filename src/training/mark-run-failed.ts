// When the worker dies without ending its run (crash, out of memory, kill after a stop timeout), the host
// records the failure so the run folder never claims "running" forever. The last checkpoint is untouched:
// checkpoints are written under a temp name and renamed, so they are whole or absent.
import * as fs from 'fs';
import * as path from 'path';
import { writeJsonAtomic } from '../core/io/atomic-write';
import { RUN_FILES, type EndEvent, type RunStatus } from '../protocol/run-events';
import { readRunStatus } from './read-run-folder';

/** Returns false when the trainer already wrote a final state (nothing to do). */
export function markRunFailed(runDir: string, error: string, now = new Date()): boolean {
  const previous = readRunStatus(runDir);
  if (previous && previous.state !== 'running') return false;
  const step = previous?.step ?? 0;
  const status: RunStatus = {
    state: 'failed',
    runId: previous?.runId ?? path.basename(runDir),
    step,
    totalSteps: previous?.totalSteps ?? 0,
    error,
    updated: now.toISOString(),
  };
  if (previous?.lastCheckpoint) status.lastCheckpoint = previous.lastCheckpoint;
  const end: EndEvent = { type: 'end', step, time: now.toISOString(), state: 'failed', error };
  const metrics = path.join(runDir, RUN_FILES.metrics);
  dropPartialLastLine(metrics);
  fs.appendFileSync(metrics, JSON.stringify(end) + '\n');
  writeJsonAtomic(path.join(runDir, RUN_FILES.status), status);
  return true;
}

/** A crash mid-append leaves a last line without its newline; it can never be completed, so cut it. */
function dropPartialLastLine(file: string): void {
  if (!fs.existsSync(file)) return;
  const bytes = fs.readFileSync(file);
  if (bytes.length === 0 || bytes[bytes.length - 1] === 0x0a) return;
  fs.truncateSync(file, bytes.lastIndexOf(0x0a) + 1);
}
