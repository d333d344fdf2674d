// status.json, the run's current state (RunStatus in src/protocol/run-events.ts), rewritten atomically by the
// run's one writer.
import * as fs from 'fs';
import * as path from 'path';
import { RUN_FILES, type RunStatus } from '../../protocol/run-events';

export function readRunStatus(runDir: string): RunStatus | null {
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

export function isRunFolder(dir: string): boolean {
  return fs.existsSync(path.join(dir, RUN_FILES.metrics)) || fs.existsSync(path.join(dir, RUN_FILES.status));
}
