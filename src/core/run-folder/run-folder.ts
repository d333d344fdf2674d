// The run folder `<output>/<run-id>/`: config.json, metrics.jsonl (append-only, one RunEvent a line),
// status.json (rewritten atomically), checkpoints/ and run.lock. One process writes a run at a time: it holds
// the run lock from creating or reopening the folder until it releases it; everyone else only reads.
import * as fs from 'fs';
import * as path from 'path';
import { appendWhole, writeJsonAtomic } from '../io/atomic-write';
import { describeFileError, ensureFolder, errnoOf } from '../io/file-errors';
import { acquireLock, FileLock, LockHolder } from '../io/file-lock';
import { cleanDeadTemps, tempName } from '../io/temp-names';
import { RUN_FILES, RunEvent, RunStatus } from '../../protocol/run-events';
import { dropPartialLastLine, readRunEvents } from './metrics-log';
import { readRecordedStatus, runIsLive } from './run-status';

function timestamp(d = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}

function inUse(runDir: string) {
  return (h: LockHolder) =>
    `run folder ${runDir} is in use by process ${h.pid} on ${h.host} (${h.purpose} since ${h.since}); ` +
    `wait for it to end or stop it first (if no such process is running, delete ${path.join(runDir, RUN_FILES.lock)})`;
}

export type StatusFields = Omit<RunStatus, 'runId' | 'updated'>;

export class RunFolder {
  private constructor(
    readonly dir: string,
    readonly runId: string,
    private lock?: FileLock,
  ) {}

  /**
   * A new, unique run folder under `output`, named `<label>-<yyyymmdd-hhmmss>`, created whole: config.json,
   * status.json and the run lock are written into a staging folder that is then renamed into place, so a
   * failure (a full disk) leaves no half-made run behind. The returned folder holds the lock.
   */
  static create(output: string, label: string, config: unknown, status: StatusFields): RunFolder {
    ensureFolder(output, 'output folder');
    cleanDeadTemps(output);
    const base = `${label.replace(/[^A-Za-z0-9_.-]+/g, '-')}-${timestamp()}`;
    const staged = tempName(path.join(output, base));
    fs.mkdirSync(staged);
    try {
      acquireLock(path.join(staged, RUN_FILES.lock), 'training', inUse(staged));
      writeJsonAtomic(path.join(staged, RUN_FILES.config), config);
      for (let k = 1; ; k++) {
        const runId = k === 1 ? base : `${base}-${k}`;
        const dir = path.join(output, runId);
        writeJsonAtomic(path.join(staged, RUN_FILES.status), { ...status, runId, updated: new Date().toISOString() });
        if (fs.existsSync(dir)) continue;
        try {
          // rename(2) will not replace a folder that has files: a run of the same name made meanwhile stays.
          fs.renameSync(staged, dir);
        } catch (e) {
          if (errnoOf(e) === 'ENOTEMPTY' || errnoOf(e) === 'EEXIST') continue;
          throw describeFileError(e, dir, 'create the run folder');
        }
        return new RunFolder(dir, runId, new FileLock(path.join(dir, RUN_FILES.lock)));
      }
    } catch (e) {
      fs.rmSync(staged, { recursive: true, force: true });
      throw e;
    }
  }

  /** An existing run, read-only. */
  static open(dir: string): RunFolder {
    if (!fs.existsSync(path.join(dir, RUN_FILES.config))) {
      throw new Error(`${dir} is not a run folder (no ${RUN_FILES.config}); pass the folder that \`thanora train\` created`);
    }
    return new RunFolder(dir, path.basename(dir));
  }

  /**
   * An existing run, to continue writing it: takes the run lock (LockedError names the process holding it),
   * then repairs what a killed writer left: the previous session ends as 'interrupted' in metrics.jsonl, a
   * half-written last line is cut, dead temps are removed and a checkpoint moved aside is put back.
   */
  static openForWriting(dir: string): RunFolder {
    const folder = RunFolder.open(dir);
    const recorded = readRecordedStatus(dir);
    const wasInterrupted = recorded?.state === 'running' && !runIsLive(dir, recorded);
    folder.lock = acquireLock(folder.file(RUN_FILES.lock), 'training', inUse(dir));
    try {
      cleanDeadTemps(dir);
      cleanDeadTemps(folder.checkpointsDir());
      dropPartialLastLine(folder.file(RUN_FILES.metrics));
      if (wasInterrupted) {
        const steps = readRunEvents(dir).filter((e) => e.type === 'step');
        const step = steps.length ? steps[steps.length - 1].step : recorded!.step;
        folder.append({ type: 'end', step, time: new Date().toISOString(), state: 'interrupted' });
      }
    } catch (e) {
      folder.release();
      throw e;
    }
    return folder;
  }

  /** Lets go of the run lock (idempotent). */
  release(): void {
    this.lock?.release();
    this.lock = undefined;
  }

  file(name: string): string {
    return path.join(this.dir, name);
  }

  readConfig<T>(): T {
    return JSON.parse(fs.readFileSync(this.file(RUN_FILES.config), 'utf8')) as T;
  }

  append(event: RunEvent): void {
    appendWhole(this.file(RUN_FILES.metrics), JSON.stringify(event) + '\n');
  }

  writeStatus(status: StatusFields): void {
    writeJsonAtomic(this.file(RUN_FILES.status), { ...status, runId: this.runId, updated: new Date().toISOString() });
  }

  checkpointsDir(): string {
    return this.file(RUN_FILES.checkpoints);
  }
}
