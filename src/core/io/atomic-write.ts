// Writes that are whole or absent. A file is written to a temp name beside its target, every byte of it (a
// short write continues where it stopped), flushed, and renamed over the target, so a reader or a crash never
// sees a half-written file; a failure removes the temp and says what happened (disk full: the bytes needed).
// Appends add a whole line or nothing. Folders of several files commit as a unit (folder-commit.ts).
import * as fs from 'fs';
import * as path from 'path';
import { describeFileError, ensureFolder } from './file-errors';
import { tempName } from './temp-names';

/** A whole file: text, bytes, or chunks; a generator of chunks produces a large file without holding it all. */
type Data = string | Uint8Array | Iterable<Uint8Array>;

function chunksOf(data: Data): Iterable<Uint8Array> {
  return typeof data === 'string' ? [Buffer.from(data)] : data instanceof Uint8Array ? [data] : data;
}

/** Writes all of `bytes` at the file position (write(2) may write fewer bytes than asked; continue until done). */
export function writeAll(fd: number, bytes: Uint8Array, position?: number): void {
  let done = 0;
  while (done < bytes.length) {
    const n = fs.writeSync(fd, bytes, done, bytes.length - done, position === undefined ? null : position + done);
    if (n <= 0) throw Object.assign(new Error(`write made no progress after ${done} of ${bytes.length} bytes`), { code: 'EIO' });
    done += n;
  }
}

export function writeFileAtomic(file: string, data: Data): void {
  ensureFolder(path.dirname(file));
  const chunks = chunksOf(data);
  // The size is known up front unless the chunks come from a generator.
  const total = Array.isArray(chunks) ? chunks.reduce((s: number, c: Uint8Array) => s + c.length, 0) : undefined;
  const tmp = tempName(file);
  let fd: number | undefined;
  try {
    fd = fs.openSync(tmp, 'w');
    for (const chunk of chunks) writeAll(fd, chunk);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = undefined;
    fs.renameSync(tmp, file);
  } catch (e) {
    if (fd !== undefined) fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw describeFileError(e, file, 'write', total);
  }
}

export function writeJsonAtomic(file: string, value: unknown): void {
  writeFileAtomic(file, JSON.stringify(value, null, 2) + '\n');
}

/** Appends `text` whole or not at all: a failed append is cut back to the file's previous length. */
export function appendWhole(file: string, text: string): void {
  const bytes = Buffer.from(text);
  let fd: number | undefined;
  let before = 0;
  try {
    fd = fs.openSync(file, 'a');
    before = fs.fstatSync(fd).size;
    writeAll(fd, bytes);
  } catch (e) {
    if (fd !== undefined) {
      try {
        fs.ftruncateSync(fd, before);
      } catch {
        // The write failed first; that is the error to report.
      }
    }
    throw describeFileError(e, file, 'append to', bytes.length);
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}
