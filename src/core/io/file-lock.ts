// An exclusive lock held by one process: a lock file created atomically with its holder's pid, host and purpose
// (written to a temp file and hard-linked into place, so the lock never exists without its content). A lock
// whose holder is gone (the pid is not running on this host) is stale and taken over; taking over goes through
// a short-lived break lock, so two processes finding the same stale lock cannot both take it.
import * as fs from 'fs';
import * as os from 'os';
import { describeFileError, errnoOf } from './file-errors';
import { isProcessAlive } from './process-alive';
import { tempName } from './temp-names';

export interface LockHolder {
  pid: number;
  host: string;
  /** ISO time the lock was taken. */
  since: string;
  /** What the holder does, for the message of whoever is refused: "training", "merging". */
  purpose: string;
}

export class LockedError extends Error {
  constructor(
    readonly lockFile: string,
    readonly holder: LockHolder,
    message: string,
  ) {
    super(message);
    this.name = 'LockedError';
  }
}

/** A break lock older than this belongs to a process that died while breaking (it is held for microseconds). */
const breakLockStaleMs = 10_000;

export function readLockHolder(lockFile: string): LockHolder | undefined {
  try {
    const value = JSON.parse(fs.readFileSync(lockFile, 'utf8')) as LockHolder;
    return Number.isInteger(value.pid) && typeof value.host === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

const processStart = Date.now() - process.uptime() * 1000;

/**
 * The holder when it is alive; a holder on another host cannot be checked and counts as alive. Our own pid in a
 * lock taken before this process started is an earlier process that had the same pid (containers reuse pid 1).
 */
export function liveLockHolder(lockFile: string): LockHolder | undefined {
  const holder = readLockHolder(lockFile);
  if (!holder) return undefined;
  if (holder.host !== os.hostname()) return holder;
  if (holder.pid === process.pid) return Date.parse(holder.since) >= processStart - 1000 ? holder : undefined;
  return isProcessAlive(holder.pid) ? holder : undefined;
}

export class FileLock {
  private held = true;

  constructor(readonly file: string) {}

  release(): void {
    if (!this.held) return;
    this.held = false;
    if (readLockHolder(this.file)?.pid === process.pid) fs.rmSync(this.file, { force: true });
  }
}

function tryCreate(lockFile: string, holder: LockHolder): boolean {
  const tmp = tempName(lockFile);
  const content = JSON.stringify(holder) + '\n';
  try {
    fs.writeFileSync(tmp, content);
    fs.linkSync(tmp, lockFile);
    return true;
  } catch (e) {
    if (errnoOf(e) === 'EEXIST') return false;
    throw describeFileError(e, lockFile, 'create the lock', content.length);
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Removes `lockFile` if it still holds the same stale holder, under the break lock. */
function breakStale(lockFile: string, stale: LockHolder | undefined): void {
  const breaker = `${lockFile}.break`;
  try {
    const age = Date.now() - fs.statSync(breaker).mtimeMs;
    if (age > breakLockStaleMs) fs.rmSync(breaker, { force: true });
  } catch {
    // No break lock: the usual case.
  }
  if (!tryCreate(breaker, { pid: process.pid, host: os.hostname(), since: new Date().toISOString(), purpose: 'breaking a stale lock' })) return;
  try {
    const now = readLockHolder(lockFile);
    const same = now === undefined ? stale === undefined : stale !== undefined && now.pid === stale.pid && now.since === stale.since && now.host === stale.host;
    if (same && fs.existsSync(lockFile)) fs.rmSync(lockFile, { force: true });
  } finally {
    fs.rmSync(breaker, { force: true });
  }
}

/**
 * Takes the lock or throws LockedError naming the live holder. `describe` words the refusal for the caller's
 * users (what is locked and what to do).
 */
export function acquireLock(lockFile: string, purpose: string, describe: (holder: LockHolder) => string): FileLock {
  const me: LockHolder = { pid: process.pid, host: os.hostname(), since: new Date().toISOString(), purpose };
  for (let attempt = 0; attempt < 8; attempt++) {
    // Another process may be breaking the same stale lock (it holds the break lock): give it time, 5·2^k ms,
    // about 0.6 s over all attempts, rather than spending every attempt while it works.
    if (attempt > 0) sleepSync(5 * 2 ** (attempt - 1));
    if (tryCreate(lockFile, me)) return new FileLock(lockFile);
    const holder = readLockHolder(lockFile);
    const live = liveLockHolder(lockFile);
    if (live) throw new LockedError(lockFile, live, describe(live));
    // A lock file without readable content was not written by acquireLock (which links it in whole): stale too.
    breakStale(lockFile, holder);
  }
  const holder = readLockHolder(lockFile);
  throw new LockedError(lockFile, holder ?? me, `could not take the lock ${lockFile} (it keeps changing hands); try again`);
}
