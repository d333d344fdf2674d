// File-system failures said in the user's terms: the errno becomes what happened (disk full, read-only disk,
// no permission, a file where a folder belongs), with the path, and for a full disk the bytes needed and free.
import * as fs from 'fs';
import * as path from 'path';

/** A write failed because the disk (or the user's quota) is full. */
export class DiskFullError extends Error {
  constructor(
    readonly file: string,
    /** Bytes the write needed in all, when known. */
    readonly bytesNeeded: number | undefined,
    readonly bytesFree: number | undefined,
  ) {
    const needs = bytesNeeded === undefined ? '' : ` needs ${formatBytes(bytesNeeded)}`;
    const free = bytesFree === undefined ? '' : `, ${formatBytes(bytesFree)} free on that disk`;
    super(`disk full: writing ${file}${needs}${free}; free up space or choose a folder on another disk`);
    this.name = 'DiskFullError';
  }
}

/** Any other file-system failure, reworded. */
export class FileSystemError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
    this.name = 'FileSystemError';
  }
}

function formatBytes(n: number): string {
  if (n < 1024) return `${n} bytes`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${n} bytes (${v.toFixed(1)} ${units[u]})`;
}

/** Free bytes for unprivileged writers on the disk holding `target` (or its nearest existing folder). */
function freeBytes(target: string): number | undefined {
  for (let dir = target; ; dir = path.dirname(dir)) {
    try {
      const s = fs.statfsSync(dir);
      return s.bavail * s.bsize;
    } catch {
      if (path.dirname(dir) === dir) return undefined;
    }
  }
}

export function errnoOf(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException | undefined)?.code;
}

/**
 * The error to show for `e`, raised while `verb`ing `file` ("writing", "creating the folder"). Errors that are
 * not errno failures (or are already ours) pass through unchanged.
 */
export function describeFileError(e: unknown, file: string, verb: string, bytesNeeded?: number): Error {
  if (e instanceof DiskFullError || e instanceof FileSystemError) return e;
  const code = errnoOf(e);
  switch (code) {
    case 'ENOSPC':
    case 'EDQUOT':
      return new DiskFullError(file, bytesNeeded, freeBytes(file));
    case 'EROFS':
      return new FileSystemError(`cannot ${verb} ${file}: the disk is read-only; choose a folder on a writable disk`, code);
    case 'EACCES':
    case 'EPERM':
      return new FileSystemError(`cannot ${verb} ${file}: permission denied; choose a folder you can write to`, code);
    case 'ENOTDIR':
    case 'EEXIST': {
      const blocker = firstFileOnPath(file);
      if (blocker) return new FileSystemError(`cannot ${verb} ${file}: ${blocker} is a file, not a folder; choose another folder`, code);
      return e as Error;
    }
    default:
      return e as Error;
  }
}

/** The first path component of `target` (or `target` itself) that exists but is not a folder. */
function firstFileOnPath(target: string): string | undefined {
  const parts: string[] = [];
  for (let p = path.resolve(target); ; p = path.dirname(p)) {
    parts.unshift(p);
    if (path.dirname(p) === p) break;
  }
  for (const p of parts) {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(p);
    } catch {
      return undefined;
    }
    if (!stat.isDirectory()) return p;
  }
  return undefined;
}

/**
 * Why `dir` could not be created (or written, when it exists), found without creating anything: a file in the
 * way, or no write access to the nearest folder that exists (a read-only disk says EROFS here). Undefined when it
 * looks possible.
 */
export function folderProblem(dir: string, what = 'folder'): FileSystemError | undefined {
  const blocker = firstFileOnPath(dir);
  if (blocker) return new FileSystemError(`cannot create the ${what} ${dir}: ${blocker} is a file, not a folder; choose another folder`, 'ENOTDIR');
  let existing = path.resolve(dir);
  while (!fs.existsSync(existing) && path.dirname(existing) !== existing) existing = path.dirname(existing);
  try {
    fs.accessSync(existing, fs.constants.W_OK);
  } catch (e) {
    const problem = describeFileError(e, dir, `create the ${what}`);
    return problem instanceof FileSystemError ? problem : undefined;
  }
  return undefined;
}

/**
 * Creates `dir` and its parents. Node's recursive mkdir says ENOENT or EEXIST for a read-only disk or a file in
 * the way; this says which.
 */
export function ensureFolder(dir: string, what = 'folder'): void {
  try {
    fs.mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw folderProblem(dir, what) ?? describeFileError(e, dir, `create the ${what}`);
  }
}
