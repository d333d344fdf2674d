// JSON Lines: one JSON object per line, in UTF-8. Blank lines are skipped (editors often leave a trailing one);
// every other line must parse to an object, or it becomes an issue at file:line and reading continues. A file
// with bytes that are not UTF-8 yields no records, only an issue per bad line.
import * as fs from 'fs';
import { JsonSyntaxError, parseJsonWithLocations } from '../experiment/json-source-map';
import { IssueCollector } from './data-errors';
import { decodeUtf8, firstInvalidUtf8 } from './utf8';

export interface JsonlRecord {
  /** 1-based line number in the file. */
  line: number;
  value: Record<string, unknown>;
}

// JSON.parse does not always say where a line breaks; the locating parser (only run on failure) does.
function describeParseError(line: string, e: unknown): string {
  try {
    parseJsonWithLocations(line);
  } catch (located) {
    if (located instanceof JsonSyntaxError) return `invalid JSON at column ${located.position.column}: ${located.reason}`;
  }
  return `invalid JSON: ${String((e as Error)?.message ?? e).split('\n')[0]}`;
}

function jsonTypeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

/**
 * Parses `file` line by line. Problems (missing file, bad JSON, a non-object line) go to `issues` tagged with
 * `task` as they are met, so a caller that checks each record adds its own issues in line order too.
 */
export function* readJsonlFile(file: string, issues: IssueCollector, task?: string): Generator<JsonlRecord> {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'file not found' : code === 'EISDIR' ? 'is a folder, expected a .jsonl file' : String((e as Error).message);
    issues.add({ file, task, message: reason });
    return;
  }
  let text = decodeUtf8(bytes);
  if (text === undefined) {
    // Name the lines with invalid bytes; the rest still gets checked so every problem is reported at once.
    let start = 0;
    for (let line = 1; start <= bytes.length; line++) {
      const newline = bytes.indexOf(0x0a, start);
      const end = newline < 0 ? bytes.length : newline;
      const bad = firstInvalidUtf8(bytes.subarray(start, end));
      if (bad >= 0) {
        const shown = [...bytes.subarray(start + bad, Math.min(end, start + bad + 4))].map((b) => `0x${b.toString(16).padStart(2, '0')}`).join(' ');
        issues.add({ file, line, task, message: `byte ${bad + 1} of the line (${shown}) is not valid UTF-8; save the file as UTF-8 (in VS Code: Save with Encoding → UTF-8)` });
      }
      start = end + 1;
    }
    return;
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let records = 0;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i].endsWith('\r') ? lines[i].slice(0, -1) : lines[i];
    if (raw.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (e) {
      issues.add({ file, line: i + 1, task, message: describeParseError(raw, e) });
      continue;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      issues.add({ file, line: i + 1, task, message: `expected a JSON object per line, got ${jsonTypeName(value)}` });
      continue;
    }
    records++;
    yield { line: i + 1, value: value as Record<string, unknown> };
  }
  if (records === 0 && lines.every((l) => l.trim() === '')) {
    issues.add({ file, task, message: 'the file has no examples (it is empty)' });
  }
}
