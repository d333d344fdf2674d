// The one writer of a run's failure record (an 'end' event and status.json): the trainer's own catch, and the
// host when the worker died without ending its run (crash, out of memory, kill after a stop timeout), so the
// run folder never claims "running" forever. The last checkpoint is untouched: checkpoints are whole or absent.
import * as path from 'path';
import { appendWhole, writeJsonAtomic } from '../io/atomic-write';
import { RUN_FILES, type EndEvent, type RunStatus } from '../../protocol/run-events';
import { lastCheckpoint } from './checkpoints';
import { dropPartialLastLine } from './metrics-log';
import { readRecordedStatus } from './run-status';
import { acquireLock, LockedError } from '../io/file-lock';

export interface RunFailure {
  error: string;
  /** Defaults to the step status.json records. */
  step?: number;
  totalSteps?: number;
  now?: Date;
}

/** Records `failure` as the run's end; returns the end event written. */
export function recordRunFailure(runDir: string, failure: RunFailure): EndEvent {
  const previous = readRecordedStatus(runDir);
  const now = failure.now ?? new Date();
  const step = failure.step ?? previous?.step ?? 0;
  const status: RunStatus = {
    state: 'failed',
    runId: previous?.runId ?? path.basename(runDir),
    step,
    totalSteps: failure.totalSteps ?? previous?.totalSteps ?? 0,
    error: failure.error,
    updated: now.toISOString(),
  };
  const last = lastCheckpoint(runDir);
  if (last) status.lastCheckpoint = path.relative(runDir, last);
  const end: EndEvent = { type: 'end', step, time: now.toISOString(), state: 'failed', error: failure.error };
  const metrics = path.join(runDir, RUN_FILES.metrics);
  dropPartialLastLine(metrics);
  appendWhole(metrics, JSON.stringify(end) + '\n');
  writeJsonAtomic(path.join(runDir, RUN_FILES.status), status);
  return end;
}

/**
 * The host's record of a worker that died mid-run, taken under the run lock (the dead worker's lock is stale).
 * Returns false when the trainer already wrote a final state or another process now holds the run.
 */
export function markRunFailed(runDir: string, error: string, now = new Date()): boolean {
  let lock;
  try {
    lock = acquireLock(path.join(runDir, RUN_FILES.lock), 'recording a failure', () => 'in use');
  } catch (e) {
    if (e instanceof LockedError) return false;
    throw e;
  }
  try {
    const previous = readRecordedStatus(runDir);
    if (previous && previous.state !== 'running') return false;
    recordRunFailure(runDir, { error, now });
    return true;
  } finally {
    lock.release();
  }
}
