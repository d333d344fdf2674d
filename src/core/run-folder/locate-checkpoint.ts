// Which checkpoint `thanora merge <run>` takes: the run's best (training.best, named in status.json) unless
// told otherwise, the last one, or one step; or a checkpoint folder given as such. The answer always says which
// one was taken and why, so a merge never takes another checkpoint than the one the user believes.
import * as fs from 'fs';
import * as path from 'path';
import { ADAPTER_CONFIG_FILE } from '../io/peft-adapter';
import { RUN_FILES } from '../../protocol/run-events';
import { CheckpointError, checkpointName, findLastCheckpoint, isCheckpointFolder, listCheckpoints } from './checkpoints';
import { readRunStatus } from './run-status';

/** 'best' (training.best), 'last', or `step-N` (N as written, with or without the zero padding). */
export type CheckpointChoice = 'best' | 'last' | `step-${number}`;

export interface LocatedCheckpoint {
  checkpointDir: string;
  /** Set when the run's named last or best checkpoint was missing and another was taken. */
  note?: string;
  /** Which checkpoint this is, for the user: "best by mean-accuracy (0.7500 at step 4)", "last", "step 4", "given". */
  selection: string;
  /** The run folder when the checkpoint sits in `<run>/checkpoints/` or a run folder was given. */
  runDir?: string;
  /** True when the input was the checkpoint folder itself (not a run folder). */
  givenDirectly: boolean;
}

export function parseCheckpointChoice(value: string): CheckpointChoice {
  if (value === 'best' || value === 'last' || /^step-\d+$/.test(value)) return value as CheckpointChoice;
  throw new CheckpointError(`checkpoint choice '${value}' is not last, best or step-N (e.g. step-400)`);
}

function relative(runDir: string, dir: string): string {
  return path.relative(runDir, dir);
}

/** The best checkpoint status.json records, when its folder is there. */
function bestCheckpoint(runDir: string): { dir?: string; selection?: string; missing?: string } {
  const best = readRunStatus(runDir)?.best;
  if (!best) return {};
  const dir = path.resolve(runDir, best.checkpoint);
  if (!listCheckpoints(runDir).includes(dir)) return { missing: best.checkpoint };
  return { dir, selection: `best by ${best.metric} (${best.value.toFixed(4)} at step ${best.step})` };
}

function chooseInRun(runDir: string, choice: CheckpointChoice | undefined): Omit<LocatedCheckpoint, 'runDir' | 'givenDirectly'> {
  const available = () => listCheckpoints(runDir).map((d) => path.basename(d)).join(', ') || 'none';
  if (choice?.startsWith('step-')) {
    const dir = path.join(runDir, RUN_FILES.checkpoints, checkpointName(Number(choice.slice('step-'.length))));
    if (!isCheckpointFolder(dir)) throw new CheckpointError(`run ${runDir} has no checkpoint ${relative(runDir, dir)}; its checkpoints: ${available()}`);
    return { checkpointDir: dir, selection: `step ${Number(choice.slice('step-'.length))}` };
  }
  if (choice !== 'last') {
    const best = bestCheckpoint(runDir);
    if (best.dir) return { checkpointDir: best.dir, selection: best.selection! };
    if (choice === 'best') {
      const why = best.missing ? `status.json names ${best.missing}, which is missing` : 'status.json records no best checkpoint (no eval after training started yet)';
      throw new CheckpointError(`run ${runDir} has no best checkpoint: ${why}; its checkpoints: ${available()}; choose --checkpoint last or step-N`);
    }
    const last = findLastCheckpoint(runDir);
    if (!last.dir) return { checkpointDir: '', selection: '' };
    const why = best.missing ? `the best checkpoint ${best.missing} named in status.json is missing` : 'the run records no best checkpoint';
    const missing = best.missing ? `${why}; taking the last checkpoint ${relative(runDir, last.dir)}` : undefined;
    return { checkpointDir: last.dir, selection: `last (${why})`, note: [last.note, missing].filter(Boolean).join('; ') || undefined };
  }
  const last = findLastCheckpoint(runDir);
  return { checkpointDir: last.dir ?? '', selection: 'last', note: last.note };
}

/** A run folder (its best checkpoint by default, see `choice`) or a checkpoint folder. */
export function locateCheckpoint(input: string, choice?: CheckpointChoice): LocatedCheckpoint {
  const given = path.resolve(input);
  if (!fs.existsSync(given) || !fs.statSync(given).isDirectory()) throw new CheckpointError(`${input} is not a folder; pass a run folder or one of its checkpoints/step-* folders`);
  if (isCheckpointFolder(given)) {
    if (choice) throw new CheckpointError(`${input} is a checkpoint folder already; a checkpoint choice (${choice}) applies to a run folder`);
    const parent = path.dirname(given);
    return { checkpointDir: given, selection: 'given', runDir: path.basename(parent) === RUN_FILES.checkpoints ? path.dirname(parent) : undefined, givenDirectly: true };
  }
  const chosen = chooseInRun(given, choice);
  if (!chosen.checkpointDir) {
    throw new CheckpointError(`run ${given} has no checkpoint yet (no ${RUN_FILES.checkpoints}/step-*/${ADAPTER_CONFIG_FILE}); wait for the first checkpoint or pass a checkpoint folder`);
  }
  return { ...chosen, runDir: given, givenDirectly: false };
}
