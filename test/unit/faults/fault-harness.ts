// The fault-injection suite's tools: a small real experiment (tiny-llama, two tasks, ThanoRA, a checkpoint every
// 2 steps), the real CLI as a child process, kill -9 at seeded random moments, and the invariants a run folder
// and a merge folder must keep whatever happened to the process writing them.
import * as assert from 'assert';
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { Rng } from '../../../src/core/data/rng';
import {
  lastCheckpoint,
  listCheckpoints,
  readCheckpointAdapter,
  readCheckpointTrainingState,
  readRecordedStatus,
  readRunEvents,
  readRunStatus,
} from '../../../src/core/run-folder';
import { RunEvent, StepEvent } from '../../../src/protocol/run-events';
import { TOTAL_STEPS } from '../../support/tiny-experiment';

export { TOTAL_STEPS, writeTinyExperiment as writeFaultExperiment } from '../../support/tiny-experiment';

const root = path.resolve(__dirname, '../../../..');
export const bin = path.join(root, 'bin/thanora.js');

/** How many kills the randomized tests make: a few by default, THANORA_FAULT_SWEEP=N for a long sweep. */
export function sweepSize(defaultCount: number): number {
  const n = Number(process.env.THANORA_FAULT_SWEEP);
  return Number.isInteger(n) && n > 0 ? n : defaultCount;
}

/** The seed of the randomized kills (THANORA_FAULT_SEED to replay a failure). */
export function faultRng(label: string): { rng: Rng; seed: number } {
  const seed = Number(process.env.THANORA_FAULT_SEED ?? 10);
  return { rng: Rng.derive(seed, label), seed };
}

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function thanora(args: string[]): { child: ChildProcess; done: Promise<Finished> } {
  const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const done = new Promise<Finished>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { child, done };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The single run folder under `runs`, if one was made. */
export function onlyRun(runs: string): string | undefined {
  const found = fs.existsSync(runs) ? fs.readdirSync(runs).filter((n) => !/\.(tmp|old)-\d+-/.test(n)) : [];
  assert.ok(found.length <= 1, `one run folder at most, found ${found.join(', ')}`);
  return found[0] && path.join(runs, found[0]);
}

export function stepCount(runDir: string | undefined): number {
  if (!runDir) return 0;
  try {
    return (fs.readFileSync(path.join(runDir, 'metrics.jsonl'), 'utf8').match(/"type":"step"/g) ?? []).length;
  } catch {
    return 0;
  }
}

export const steps = (events: RunEvent[]) => events.filter((e): e is StepEvent => e.type === 'step');

/** The losses of a run's last session by step: a resumed session's steps replace the earlier ones. */
export function lossesByStep(runDir: string): Map<number, number> {
  const out = new Map<number, number>();
  for (const s of steps(readRunEvents(runDir))) out.set(s.step, s.loss);
  return out;
}

/** Temp leftovers anywhere in `dir` (staging folders, aside copies, temp files, break locks). */
export function leftovers(dir: string): string[] {
  const found: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (/\.(tmp|old)-\d+-|\.break$/.test(e.name)) found.push(p);
      else if (e.isDirectory()) walk(p);
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  return found;
}

/**
 * What a run folder must be after its writer died at any moment: status.json whole, every metrics line but a
 * last partial one whole, every checkpoint folder complete and readable, the last checkpoint where status.json
 * says, and the run readable as interrupted (or as the state its writer reached).
 */
export function assertRunFolderSound(runDir: string, killedAt: string): void {
  const recorded = readRecordedStatus(runDir);
  assert.ok(recorded, `${killedAt}: status.json is whole`);
  const status = readRunStatus(runDir)!;
  assert.ok(['interrupted', 'finished', 'failed'].includes(status.state), `${killedAt}: a dead writer's run reads as ${status.state}`);
  const events = readRunEvents(runDir);
  // Phase events of the preparation come first (src/protocol/run-events.ts, PhaseEvent); then the start event.
  const first = events.find((e) => e.type !== 'phase');
  assert.strictEqual(first?.type ?? 'start', 'start', `${killedAt}: metrics.jsonl starts with the start event (after any phase events)`);
  for (const dir of listCheckpoints(runDir)) {
    const adapter = readCheckpointAdapter(dir);
    const state = readCheckpointTrainingState(dir);
    assert.strictEqual(state.trainer.step, adapter.meta.step, `${killedAt}: ${dir} is one checkpoint, not a mix`);
  }
  if (recorded!.lastCheckpoint) {
    const last = lastCheckpoint(runDir);
    assert.strictEqual(last, path.resolve(runDir, recorded!.lastCheckpoint), `${killedAt}: the checkpoint status.json names exists`);
  }
}
