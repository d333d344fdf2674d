// The exclusive lock: one holder at a time across processes, the holder named to whoever is refused, a lock
// whose process is gone taken over, and a race of several processes for one stale lock won by exactly one.
import * as assert from 'assert';
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { acquireLock, liveLockHolder, LockedError, readLockHolder } from '../../../../src/core/io/file-lock';
import { deadPid } from '../../../support/tmpfs';

const contender = path.resolve(__dirname, '../../../support/lock-contender.js');

function race(lockFile: string, count: number): Promise<string[]> {
  const startAt = Date.now() + 1000;
  return Promise.all(
    Array.from({ length: count }, () => {
      const child = spawn(process.execPath, [contender, lockFile, String(startAt)], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      return new Promise<string>((resolve) => child.on('exit', () => resolve(out.trim())));
    }),
  );
}

describe('file lock', function () {
  this.timeout(30000);
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'thanora-lock-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('is held by one taker at a time and names the holder to the next', () => {
    const file = path.join(dir, 'run.lock');
    const lock = acquireLock(file, 'training', (h) => `in use by process ${h.pid} (${h.purpose})`);
    assert.strictEqual(readLockHolder(file)?.pid, process.pid);
    assert.throws(() => acquireLock(file, 'training', (h) => `in use by process ${h.pid} (${h.purpose})`), (e: Error) => e instanceof LockedError && e.message === `in use by process ${process.pid} (training)`);
    lock.release();
    assert.ok(!fs.existsSync(file));
    acquireLock(file, 'merging', () => 'unexpected').release();
  });

  it('takes over a lock whose process is gone', () => {
    const file = path.join(dir, 'run.lock');
    fs.writeFileSync(file, JSON.stringify({ pid: deadPid(), host: os.hostname(), since: new Date().toISOString(), purpose: 'training' }));
    assert.strictEqual(liveLockHolder(file), undefined);
    const lock = acquireLock(file, 'training', () => 'unexpected');
    assert.strictEqual(readLockHolder(file)?.pid, process.pid);
    lock.release();
  });

  it('counts a holder on another host as alive (it cannot be checked from here)', () => {
    const file = path.join(dir, 'run.lock');
    fs.writeFileSync(file, JSON.stringify({ pid: deadPid(), host: `${os.hostname()}-elsewhere`, since: new Date().toISOString(), purpose: 'training' }));
    assert.throws(() => acquireLock(file, 'training', (h) => `held on ${h.host}`), new RegExp(`held on ${os.hostname()}-elsewhere`));
  });

  it('four processes racing for one stale lock: exactly one wins', async () => {
    const file = path.join(dir, 'run.lock');
    for (let round = 0; round < 2; round++) {
      fs.writeFileSync(file, JSON.stringify({ pid: deadPid(), host: os.hostname(), since: new Date().toISOString(), purpose: 'training' }));
      const outcomes = await race(file, 4);
      assert.strictEqual(outcomes.filter((o) => o === 'won').length, 1, outcomes.join('\n'));
      for (const o of outcomes.filter((o) => o !== 'won')) assert.match(o, /^refused: held by \d+$/);
    }
  });
});
