// Names of the temporary files and folders every writer uses beside its target: `<target>.tmp-<pid>-<n>` while it
// is being written, `<target>.old-<pid>-<n>` for the version a folder commit moves aside. The pid in the name lets
// anyone tell leftovers of a dead process (safe to remove or restore) from work in progress.
import * as fs from 'fs';
import * as path from 'path';
import { isProcessAlive } from './process-alive';

let counter = 0;

export function tempName(target: string, kind: 'tmp' | 'old' = 'tmp'): string {
  return `${target}.${kind}-${process.pid}-${(counter++).toString(36)}${Date.now().toString(36)}`;
}

const pattern = /^(.+)\.(tmp|old)-(\d+)-[0-9a-z]+$/;

interface TempEntry {
  /** Absolute path of the leftover. */
  path: string;
  /** The path it was written for. */
  target: string;
  kind: 'tmp' | 'old';
  pid: number;
}

/** Temp entries directly inside `dir` left by processes that are gone (optionally only those for `targetName`). */
function deadTemps(dir: string, targetName?: string): TempEntry[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  const found: TempEntry[] = [];
  for (const name of names) {
    const m = pattern.exec(name);
    if (!m || (targetName !== undefined && m[1] !== targetName)) continue;
    const pid = Number(m[3]);
    if (pid === process.pid || isProcessAlive(pid)) continue;
    found.push({ path: path.join(dir, name), target: path.join(dir, m[1]), kind: m[2] as 'tmp' | 'old', pid });
  }
  return found;
}

/**
 * Clears what killed writers left in `dir`: half-written temps are removed; a version a folder commit had moved
 * aside is put back when its replacement never arrived, else removed. Returns the paths handled.
 */
export function cleanDeadTemps(dir: string, targetName?: string): string[] {
  const handled: string[] = [];
  const entries = deadTemps(dir, targetName).sort((a, b) => (a.kind === b.kind ? 0 : a.kind === 'old' ? -1 : 1));
  for (const entry of entries) {
    if (entry.kind === 'old' && !fs.existsSync(entry.target)) fs.renameSync(entry.path, entry.target);
    else fs.rmSync(entry.path, { recursive: true, force: true });
    handled.push(entry.path);
  }
  return handled;
}
