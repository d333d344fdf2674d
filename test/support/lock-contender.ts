// A process that tries to take a lock (argv: lock file, start time in ms since the epoch), holds it 300 ms if it
// got it, and prints "won" or "refused: <message>". Several start at the same instant in the lock race test.
import { acquireLock } from '../../src/core/io/file-lock';

const [lockFile, startAt] = process.argv.slice(2);
const wait = Number(startAt) - Date.now();
setTimeout(
  () => {
    try {
      const lock = acquireLock(lockFile, 'testing', (h) => `held by ${h.pid}`);
      console.log('won');
      setTimeout(() => lock.release(), 300);
    } catch (e) {
      console.log(`refused: ${(e as Error).message}`);
    }
  },
  Math.max(0, wait),
);
