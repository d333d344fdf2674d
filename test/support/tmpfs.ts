// A small tmpfs mounted by the test, for disk-full and read-only cases on a real file system. Mounting needs
// root (CI and the development machine run tests as root); elsewhere the suite is skipped and says why.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export interface Tmpfs {
  dir: string;
  unmount(): void;
}

/** Why tmpfs tests cannot run here, or undefined when they can. */
export function tmpfsUnavailable(): string | undefined {
  if (process.platform !== 'linux') return `tmpfs needs Linux (this is ${process.platform})`;
  if (process.getuid?.() !== 0) return 'mounting a tmpfs needs root (run the tests as root, as CI does)';
  const probe = mountTmpfs(64 * 1024);
  if (!probe) return 'mount -t tmpfs failed (the container may lack CAP_SYS_ADMIN)';
  probe.unmount();
  return undefined;
}

/** Skips the calling test or suite, saying why, when a tmpfs cannot be mounted here. */
export function skipWithoutTmpfs(context: Mocha.Context): void {
  const why = tmpfsUnavailable();
  if (!why) return;
  console.log(`      skipped: ${why}`);
  context.skip();
}

/** Mounts a tmpfs of `bytes` (rounded up to pages) on a new folder; undefined when mounting fails. */
export function mountTmpfs(bytes: number, options: { readOnly?: boolean } = {}): Tmpfs | undefined {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'thanora-tmpfs-'));
  const flags = `size=${Math.ceil(bytes / 4096) * 4096}${options.readOnly ? ',ro' : ''}`;
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', flags, 'tmpfs', dir], { encoding: 'utf8' });
  if (r.status !== 0) {
    fs.rmdirSync(dir);
    return undefined;
  }
  return {
    dir,
    unmount() {
      spawnSync('umount', [dir]);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Fills the disk holding `dir` until `leaveBytes` remain free; returns the filler file. */
export function fillDisk(dir: string, leaveBytes: number): string {
  const filler = path.join(dir, 'filler.bin');
  const s = fs.statfsSync(dir);
  const free = s.bavail * s.bsize;
  fs.writeFileSync(filler, Buffer.alloc(Math.max(0, free - leaveBytes)));
  return filler;
}

/** The pid of a process that has exited (for stale locks and temps). */
export function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', '']);
  return r.pid!;
}
