// Reads a run folder written by the trainer (src/protocol/run-events.ts). The trainer appends to
// metrics.jsonl while we read, so a last line without its newline is an append in progress, not an error.
import * as fs from 'fs';
import * as path from 'path';
import { RUN_FILES, type RunEvent, type RunStatus } from '../protocol/run-events';

const eventTypes = new Set(['start', 'allocation', 'step', 'angles', 'eval', 'checkpoint', 'end']);

export class RunFolderError extends Error {
  constructor(file: string, line: number, detail: string) {
    super(`${file}:${line}: ${detail} (the run folder is damaged; delete the line or the run folder)`);
    this.name = 'RunFolderError';
  }
}

/** Parses complete lines of metrics.jsonl; `firstLine` numbers them in errors. */
export function parseMetricsLines(text: string, file: string, firstLine = 1): RunEvent[] {
  const events: RunEvent[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (e) {
      throw new RunFolderError(file, firstLine + i, `not JSON: ${(e as Error).message}`);
    }
    const type = (value as { type?: unknown } | null)?.type;
    if (typeof type !== 'string' || !eventTypes.has(type)) {
      throw new RunFolderError(file, firstLine + i, `unknown event type ${JSON.stringify(type)}`);
    }
    events.push(value as RunEvent);
  }
  return events;
}

/** Follows metrics.jsonl from a byte offset, returning only whole lines; the partial tail waits for the next read. */
export class MetricsTail {
  private offset = 0;
  private linesRead = 0;
  readonly file: string;

  constructor(runDir: string) {
    this.file = path.join(runDir, RUN_FILES.metrics);
  }

  readNew(): RunEvent[] {
    let fd: number;
    try {
      fd = fs.openSync(this.file, 'r');
    } catch {
      return [];
    }
    try {
      const size = fs.fstatSync(fd).size;
      if (size < this.offset) {
        // Rewritten from scratch (a new run in the same folder): start over.
        this.offset = 0;
        this.linesRead = 0;
      }
      if (size === this.offset) return [];
      const buffer = Buffer.alloc(size - this.offset);
      fs.readSync(fd, buffer, 0, buffer.length, this.offset);
      const lastNewline = buffer.lastIndexOf(0x0a);
      if (lastNewline < 0) return [];
      const text = buffer.subarray(0, lastNewline + 1).toString('utf8');
      const events = parseMetricsLines(text, this.file, this.linesRead + 1);
      this.offset += lastNewline + 1;
      this.linesRead += text.split('\n').length - 1;
      return events;
    } finally {
      fs.closeSync(fd);
    }
  }
}

export function readRunEvents(runDir: string): RunEvent[] {
  return new MetricsTail(runDir).readNew();
}

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
