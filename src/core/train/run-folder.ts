// The run folder `<output>/<run-id>/`: config.json, metrics.jsonl (append-only, one RunEvent a line) and
// status.json (rewritten atomically). Readers (CLI, extension, dashboard) need nothing else.
import * as fs from 'fs';
import * as path from 'path';
import { writeJsonAtomic } from '../io/atomic-write';
import { RUN_FILES, RunEvent, RunStatus } from '../../protocol/run-events';

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
    fs.appendFileSync(this.file(RUN_FILES.metrics), JSON.stringify(event) + '\n');
  }

  writeStatus(status: Omit<RunStatus, 'runId' | 'updated'>): void {
    writeJsonAtomic(this.file(RUN_FILES.status), { ...status, runId: this.runId, updated: new Date().toISOString() });
  }

  readStatus(): RunStatus | undefined {
    try {
      return JSON.parse(fs.readFileSync(this.file(RUN_FILES.status), 'utf8')) as RunStatus;
    } catch {
      return undefined;
    }
  }

  checkpointsDir(): string {
    return this.file(RUN_FILES.checkpoints);
  }

  /** The newest complete checkpoint folder, or undefined. */
  lastCheckpoint(): string | undefined {
    const dir = this.checkpointsDir();
    if (!fs.existsSync(dir)) return undefined;
    const steps = fs.readdirSync(dir).filter((n) => /^step-\d{8}$/.test(n)).sort();
    return steps.length ? path.join(dir, steps[steps.length - 1]) : undefined;
  }
}

/** All events of a run, skipping a torn last line (a run killed mid-write). */
export function readRunEvents(dir: string): RunEvent[] {
  const file = path.join(dir, RUN_FILES.metrics);
  if (!fs.existsSync(file)) return [];
  const events: RunEvent[] = [];
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      events.push(JSON.parse(line) as RunEvent);
    } catch {
      // Only the last line can be partial; anything after it would be a new run appending.
    }
  }
  return events;
}
