// A sweep folder `<output>/sweep-<yyyymmdd-hhmmss>/`: sweep.json (the planned points, each with its resolved
// experiment and, once made, its run folder), the run folders themselves (normal runs, named after their
// point's label), results.md and results.csv, and sweep.lock, held by the one process running the sweep.
// Created whole (staged, then renamed) and rewritten atomically, so a stop or crash leaves it resumable.
import * as fs from 'fs';
import * as path from 'path';
import { writeFileAtomic, writeJsonAtomic } from '../io/atomic-write';
import { ensureFolder } from '../io/file-errors';
import { FileLock, LockHolder, acquireLock } from '../io/file-lock';
import { cleanDeadTemps, tempName } from '../io/temp-names';
import { isRunFolder } from './run-status';

export const SWEEP_FILES = {
  record: 'sweep.json',
  lock: 'sweep.lock',
  markdown: 'results.md',
  csv: 'results.csv',
} as const;

export interface SweepPointRecord {
  index: number;
  label: string;
  values: Record<string, unknown>;
  /** The point's resolved experiment (ExperimentConfig), as it will be trained. */
  config: unknown;
  /** The point's run folder, relative to the sweep folder, once made. */
  runDir?: string;
}

export interface SweepRecord {
  experimentFile: string;
  created: string;
  grid: Record<string, unknown[]>;
  baseline: Record<string, unknown>;
  points: SweepPointRecord[];
}

function timestamp(d = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}

function inUse(dir: string) {
  return (h: LockHolder) =>
    `sweep ${dir} is being run by process ${h.pid} on ${h.host} (since ${h.since}); wait for it to end or stop it first ` +
    `(if no such process is running, delete ${path.join(dir, SWEEP_FILES.lock)})`;
}

export function isSweepFolder(dir: string): boolean {
  return fs.existsSync(path.join(dir, SWEEP_FILES.record));
}

export class SweepFolder {
  private constructor(
    readonly dir: string,
    private record: SweepRecord,
    private lock?: FileLock,
  ) {}

  /** A new sweep folder under `output` holding `record`, with the sweep lock held. */
  static create(output: string, record: SweepRecord): SweepFolder {
    ensureFolder(output, 'output folder');
    cleanDeadTemps(output);
    for (let k = 1; ; k++) {
      const dir = path.join(output, `sweep-${timestamp()}${k === 1 ? '' : `-${k}`}`);
      if (fs.existsSync(dir)) continue;
      const staged = tempName(dir);
      fs.mkdirSync(staged);
      try {
        writeJsonAtomic(path.join(staged, SWEEP_FILES.record), record);
        fs.renameSync(staged, dir);
      } catch (e) {
        fs.rmSync(staged, { recursive: true, force: true });
        if (fs.existsSync(dir)) continue;
        throw e;
      }
      return new SweepFolder(dir, record, acquireLock(path.join(dir, SWEEP_FILES.lock), 'sweep', inUse(dir)));
    }
  }

  /** An existing sweep; `write` takes the sweep lock (LockedError names the process running it). */
  static open(dir: string, write = false): SweepFolder {
    const file = path.join(dir, SWEEP_FILES.record);
    if (!fs.existsSync(file)) throw new Error(`${dir} is not a sweep folder (no ${SWEEP_FILES.record}); pass the folder \`thanora sweep\` created`);
    const lock = write ? acquireLock(path.join(dir, SWEEP_FILES.lock), 'sweep', inUse(dir)) : undefined;
    if (write) cleanDeadTemps(dir);
    return new SweepFolder(path.resolve(dir), JSON.parse(fs.readFileSync(file, 'utf8')) as SweepRecord, lock);
  }

  get points(): readonly SweepPointRecord[] {
    return this.record.points;
  }

  get info(): Omit<SweepRecord, 'points'> {
    const { points: _points, ...rest } = this.record;
    return rest;
  }

  /**
   * The point's run folder: the recorded one, else the newest run folder named after its label (made by a
   * process that died before recording it), else undefined.
   */
  runDirOf(point: SweepPointRecord): string | undefined {
    if (point.runDir) return path.join(this.dir, point.runDir);
    const made = fs
      .readdirSync(this.dir)
      .filter((n) => n.startsWith(`${point.label}-`) && isRunFolder(path.join(this.dir, n)))
      .sort();
    return made.length ? path.join(this.dir, made[made.length - 1]) : undefined;
  }

  recordRunDir(index: number, runDir: string): void {
    this.record = { ...this.record, points: this.record.points.map((p) => (p.index === index ? { ...p, runDir: path.relative(this.dir, runDir) } : p)) };
    writeJsonAtomic(path.join(this.dir, SWEEP_FILES.record), this.record);
  }

  writeResults(markdown: string, csv: string): void {
    writeFileAtomic(path.join(this.dir, SWEEP_FILES.markdown), markdown);
    writeFileAtomic(path.join(this.dir, SWEEP_FILES.csv), csv);
  }

  release(): void {
    this.lock?.release();
    this.lock = undefined;
  }
}
