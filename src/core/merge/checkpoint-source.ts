// Finds and reads what `thanora merge <run or checkpoint>` merges: the checkpoint folder (a run folder means its
// best checkpoint unless told otherwise, see run-folder/locate-checkpoint.ts), its CheckpointMeta, the trained adapter, the init blocks of residual methods (all read by the
// run folder's checkpoint reader), and the base model the run trained on.
import * as fs from 'fs';
import * as path from 'path';
import { LoraPair, PeftAdapter } from '../io/peft-adapter';
import { CheckpointChoice, CheckpointError, locateCheckpoint, readCheckpointAdapter } from '../run-folder';
import { CheckpointMeta, RUN_FILES } from '../../protocol/run-events';
import { MergeInputError } from './merge-errors';

export interface CheckpointSource {
  checkpointDir: string;
  /** The run folder when the checkpoint sits in `<run>/checkpoints/`. */
  runDir?: string;
  /** `<run>/config.json`, when it exists. */
  runConfigFile?: string;
  meta: CheckpointMeta;
  /** The trained A, B; its config's module_map is the checkpoint's. */
  adapter: PeftAdapter;
  /** A₀, B₀ by PEFT module name (residual methods). */
  init?: Map<string, LoraPair>;
  baseModelFile: string;
  /** `<run>/merged` for a run folder, `<checkpoint>/merged` for a checkpoint. */
  defaultOutDir: string;
  /** Set when the run's recorded last or best checkpoint was missing and another was taken. */
  note?: string;
  /** Which checkpoint of the run this is (best, last, a step, or given as a folder). */
  selection: string;
}

/** Reads a run folder (the checkpoint `checkpoint` chooses) or a checkpoint folder. `baseModel` overrides the recorded path. */
export function readCheckpoint(input: string, options: { baseModel?: string; checkpoint?: CheckpointChoice } = {}): CheckpointSource {
  let located, checkpoint;
  try {
    located = locateCheckpoint(input, options.checkpoint);
    checkpoint = readCheckpointAdapter(located.checkpointDir);
  } catch (e) {
    throw e instanceof CheckpointError ? new MergeInputError(e.message) : e;
  }
  const { checkpointDir, runDir } = located;
  const configCandidate = runDir ? path.join(runDir, RUN_FILES.config) : undefined;
  const runConfigFile = configCandidate && fs.existsSync(configCandidate) ? configCandidate : undefined;
  const { meta, adapter, init } = checkpoint;
  // A relative baseModel is relative to the run's config.json (the run folder), else to the checkpoint.
  const baseModelFile = options.baseModel ? path.resolve(options.baseModel) : path.resolve(runDir ?? checkpointDir, meta.baseModel);
  if (!fs.existsSync(baseModelFile)) {
    throw new MergeInputError(`the run's base model ${baseModelFile} (baseModel "${meta.baseModel}" in ${adapter.configFile}) does not exist; pass --model with its new location`);
  }
  const defaultOutDir = path.join(located.givenDirectly ? checkpointDir : path.resolve(input), RUN_FILES.merged);
  return { checkpointDir, runDir, runConfigFile, meta, adapter, init, baseModelFile, defaultOutDir, note: located.note, selection: located.selection };
}
