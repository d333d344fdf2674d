// JSON Lines: one JSON object per line. Blank lines are skipped (editors often leave a trailing one); every
// other line must parse to an object, or it becomes an issue at file:line and reading continues.
import * as fs from 'fs';
import { IssueCollector } from './data-errors';

export interface JsonlRecord {
  /** 1-based line number in the file. */
  line: number;
  value: Record<string, unknown>;
}

// V8 reports "… at position N" (0-based, within the line); a column is easier to act on.
function describeParseError(e: unknown): string {
  const message = String((e as Error)?.message ?? e);
  const position = /at position (\d+)/.exec(message);
  const column = position ? ` (column ${Number(position[1]) + 1})` : '';
  return `invalid JSON${column}: ${message.split('\n')[0]}`;
}

function jsonTypeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

/**
 * Parses every line of `file`. Problems (missing file, bad JSON, a non-object line) go to `issues` tagged with
 * `task`; the well-formed records are returned in file order.
 */
export function readJsonlFile(file: string, issues: IssueCollector, task?: string): JsonlRecord[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'file not found' : code === 'EISDIR' ? 'is a folder, expected a .jsonl file' : String((e as Error).message);
    issues.add({ file, task, message: reason });
    return [];
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const records: JsonlRecord[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i].endsWith('\r') ? lines[i].slice(0, -1) : lines[i];
    if (raw.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (e) {
      issues.add({ file, line: i + 1, task, message: describeParseError(e) });
      continue;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      issues.add({ file, line: i + 1, task, message: `expected a JSON object per line, got ${jsonTypeName(value)}` });
      continue;
    }
    records.push({ line: i + 1, value: value as Record<string, unknown> });
  }
  if (records.length === 0 && lines.every((l) => l.trim() === '')) {
    issues.add({ file, task, message: 'the file has no examples (it is empty)' });
  }
  return records;
}
