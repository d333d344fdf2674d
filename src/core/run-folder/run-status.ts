// status.json, the run's current state (RunStatus in src/protocol/run-events.ts), rewritten atomically by the
// run's one writer. Readers get it reconciled: 'running' with no live process behind it (the run lock's holder,
// or the recorded pid for runs written without a lock) is reported as 'interrupted', which can be resumed.
import * as fs from 'fs';
import * as path from 'path';
import { liveLockHolder, readLockHolder } from '../io/file-lock';
import { isProcessAlive } from '../io/process-alive';
import { RUN_FILES, type RunStatus } from '../../protocol/run-events';

/** status.json exactly as written, or null when absent or unreadable. */
export function readRecordedStatus(runDir: string): RunStatus | null {
  const file = path.join(runDir, RUN_FILES.status);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  try {
    const status = JSON.parse(text) as RunStatus;
    return typeof status.state === 'string' ? status : null;
  } catch {
    // status.json is written atomically, so a parse failure means someone edited it by hand.
    return null;
  }
}

/** Whether a process is writing the run now. */
export function runIsLive(runDir: string, recorded: RunStatus | null = readRecordedStatus(runDir)): boolean {
  const lockFile = path.join(runDir, RUN_FILES.lock);
  if (readLockHolder(lockFile)) return liveLockHolder(lockFile) !== undefined;
  return recorded?.pid !== undefined && isProcessAlive(recorded.pid);
}

/** The run's status as it really is: a 'running' run whose process is gone reads as 'interrupted'. */
export function readRunStatus(runDir: string): RunStatus | null {
  const recorded = readRecordedStatus(runDir);
  if (recorded?.state === 'running' && !runIsLive(runDir, recorded)) return { ...recorded, state: 'interrupted' };
  return recorded;
}

export function isRunFolder(dir: string): boolean {
  return fs.existsSync(path.join(dir, RUN_FILES.metrics)) || fs.existsSync(path.join(dir, RUN_FILES.status));
}
