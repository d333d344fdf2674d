// metrics.jsonl, the run's append-only record: one RunEvent per line (src/protocol/run-events.ts). The trainer
// appends while readers (CLI, extension, dashboard) follow it, so a last line without its newline is an append
// in progress (or a writer killed mid-line), not damage; any other line that does not parse is damage.
import * as fs from 'fs';
import * as path from 'path';
import { RUN_FILES, type RunEvent } from '../../protocol/run-events';

const eventTypes = new Set(['phase', 'start', 'allocation', 'step', 'angles', 'eval', 'checkpoint', 'warning', 'end']);

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

/** Every complete event of a run, in order. */
export function readRunEvents(runDir: string): RunEvent[] {
  return new MetricsTail(runDir).readNew();
}

/** A writer killed mid-append leaves a last line without its newline; it can never be completed, so cut it. */
export function dropPartialLastLine(file: string): void {
  if (!fs.existsSync(file)) return;
  const bytes = fs.readFileSync(file);
  if (bytes.length === 0 || bytes[bytes.length - 1] === 0x0a) return;
  fs.truncateSync(file, bytes.lastIndexOf(0x0a) + 1);
}
