// The run folder `<output>/<run-id>/`: config.json, metrics.jsonl (append-only, one RunEvent a line),
// status.json (rewritten atomically) and checkpoints/. Readers (CLI, extension, dashboard) need nothing else.
import * as fs from 'fs';
import * as path from 'path';
import { appendWhole, writeJsonAtomic } from '../io/atomic-write';
import { RUN_FILES, RunEvent, RunStatus } from '../../protocol/run-events';
import { lastCheckpoint } from './checkpoints';
import { readRunStatus } from './run-status';

function timestamp(d = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}

export class RunFolder {
  private constructor(
    readonly dir: string,
    readonly runId: string,
  ) {}

  /** A new, unique run folder under `output`, named `<label>-<yyyymmdd-hhmmss>`. */
  static create(output: string, label: string): RunFolder {
    fs.mkdirSync(output, { recursive: true });
    const base = `${label.replace(/[^A-Za-z0-9_.-]+/g, '-')}-${timestamp()}`;
    let runId = base;
    for (let k = 2; fs.existsSync(path.join(output, runId)); k++) runId = `${base}-${k}`;
    const dir = path.join(output, runId);
    fs.mkdirSync(dir);
    return new RunFolder(dir, runId);
  }

  static open(dir: string): RunFolder {
    if (!fs.existsSync(path.join(dir, RUN_FILES.config))) {
      throw new Error(`${dir} is not a run folder (no ${RUN_FILES.config}); pass the folder that \`thanora train\` created`);
    }
    return new RunFolder(dir, path.basename(dir));
  }

  file(name: string): string {
    return path.join(this.dir, name);
  }

  writeConfig(config: unknown): void {
    writeJsonAtomic(this.file(RUN_FILES.config), config);
  }

  readConfig<T>(): T {
    return JSON.parse(fs.readFileSync(this.file(RUN_FILES.config), 'utf8')) as T;
  }

  append(event: RunEvent): void {
    appendWhole(this.file(RUN_FILES.metrics), JSON.stringify(event) + '\n');
  }

  writeStatus(status: Omit<RunStatus, 'runId' | 'updated'>): void {
    writeJsonAtomic(this.file(RUN_FILES.status), { ...status, runId: this.runId, updated: new Date().toISOString() });
  }

  readStatus(): RunStatus | null {
    return readRunStatus(this.dir);
  }

  checkpointsDir(): string {
    return this.file(RUN_FILES.checkpoints);
  }

  /** The last checkpoint folder (see checkpoints.ts), or undefined. */
  lastCheckpoint(): string | undefined {
    return lastCheckpoint(this.dir);
  }
}
