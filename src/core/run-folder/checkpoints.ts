// The checkpoints of a run folder (layout in src/protocol/run-events.ts): naming, finding the last one,
// writing one as a unit and reading one back, validated the same way for resuming and for merging.
import * as fs from 'fs';
import * as path from 'path';
import { writeJsonAtomic } from '../io/atomic-write';
import { commitFolder, discardFolder, stageFolder } from '../io/folder-commit';
import { cleanDeadTemps } from '../io/temp-names';
import { ADAPTER_CONFIG_FILE, ADAPTER_WEIGHTS_FILE, LoraPair, PeftAdapter, readPeftAdapter, writePeftAdapter } from '../io/peft-adapter';
import { readSafetensors, writeSafetensors, SafeTensor } from '../io/safetensors';
import { AdamWState } from '../optim/adamw';
import { adamwStateFromSafetensors, adamwStateToSafetensors } from '../optim/adamw-checkpoint';
import { CheckpointMeta, RUN_FILES, TrainerState } from '../../protocol/run-events';
import { readRunStatus } from './run-status';
import { METHOD_NAMES, isMethodName, methodSpec } from '../method/method-registry';

export const CHECKPOINT_FILES = {
  adapterConfig: ADAPTER_CONFIG_FILE,
  adapter: ADAPTER_WEIGHTS_FILE,
  init: 'init_adapter.safetensors',
  optimizer: 'optimizer.safetensors',
  trainer: 'trainer_state.json',
} as const;

/** A checkpoint folder that is missing, incomplete or was not written by `thanora train`. */
export class CheckpointError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CheckpointError';
  }
}

const stepFolder = /^step-(\d{8,})$/;

export function checkpointName(step: number): string {
  return `step-${String(step).padStart(8, '0')}`;
}

/** Holds an adapter merge can read (a PEFT folder): what `thanora merge <checkpoint>` needs. */
export function isCheckpointFolder(dir: string): boolean {
  return fs.existsSync(path.join(dir, CHECKPOINT_FILES.adapterConfig));
}

/** Puts back a checkpoint a killed rewrite had moved aside and drops dead writers' temps (see folder-commit.ts). */
function recoverCheckpoints(root: string): void {
  try {
    cleanDeadTemps(root);
  } catch {
    // A read-only copy of a run: read what is there.
  }
}

/** The complete checkpoint folders of a run, oldest first. */
export function listCheckpoints(runDir: string): string[] {
  const root = path.join(runDir, RUN_FILES.checkpoints);
  if (!fs.existsSync(root)) return [];
  recoverCheckpoints(root);
  return fs
    .readdirSync(root)
    .filter((n) => stepFolder.test(n) && isCheckpointFolder(path.join(root, n)))
    .sort((a, b) => Number(stepFolder.exec(a)![1]) - Number(stepFolder.exec(b)![1]))
    .map((n) => path.join(root, n));
}

/**
 * The checkpoint status.json names when it is there, else the newest complete one (with a note saying so: the
 * named one was deleted by hand, since writes never leave it missing); undefined when there is none.
 */
export function findLastCheckpoint(runDir: string): { dir?: string; note?: string } {
  const named = readRunStatus(runDir)?.lastCheckpoint;
  if (named) {
    const dir = path.resolve(runDir, named);
    recoverCheckpoints(path.dirname(dir));
    if (isCheckpointFolder(dir)) return { dir };
  }
  const all = listCheckpoints(runDir);
  const dir = all[all.length - 1];
  const note = named && dir ? `status.json names ${named}, which is missing; using ${path.relative(runDir, dir)}, the newest complete checkpoint` : undefined;
  return { dir, note };
}

export function lastCheckpoint(runDir: string): string | undefined {
  return findLastCheckpoint(runDir).dir;
}

export interface CheckpointRecord {
  meta: CheckpointMeta;
  rank: number;
  alpha: number;
  targetModules: string[];
  /** The trained A, B by PEFT module name. */
  adapter: ReadonlyMap<string, LoraPair>;
  /** A₀, B₀ of residual methods, by PEFT module name. */
  init?: ReadonlyMap<string, LoraPair>;
  optimizer: AdamWState;
  trainer: TrainerState;
}

/**
 * Writes `<checkpointsDir>/step-N/` as a unit (io/folder-commit.ts): whole or absent, and a checkpoint of the same
 * step rewritten (a resumed run passing it again) is replaced without ever being missing.
 */
export function writeCheckpointFolder(checkpointsDir: string, c: CheckpointRecord): string {
  const final = path.join(checkpointsDir, checkpointName(c.meta.step));
  const tmp = stageFolder(final);
  try {
    writeCheckpointFiles(tmp, c);
  } catch (e) {
    discardFolder(tmp);
    throw e;
  }
  commitFolder(tmp, final);
  return final;
}

function writeCheckpointFiles(tmp: string, c: CheckpointRecord): void {
  writePeftAdapter(tmp, {
    config: { r: c.rank, lora_alpha: c.alpha, target_modules: c.targetModules, task: 'causal_lm', thanora: c.meta },
    tensors: c.adapter,
    baseModelName: c.meta.baseModel,
  });
  if (c.init) {
    const tensors = new Map<string, SafeTensor>();
    for (const [module, p] of c.init) {
      tensors.set(`base_model.model.${module}.lora_A.weight`, p.A);
      tensors.set(`base_model.model.${module}.lora_B.weight`, p.B);
    }
    writeSafetensors(path.join(tmp, CHECKPOINT_FILES.init), tensors, { format: 'pt' });
  }
  const opt = adamwStateToSafetensors(c.optimizer);
  writeSafetensors(path.join(tmp, CHECKPOINT_FILES.optimizer), opt.tensors, opt.metadata);
  writeJsonAtomic(path.join(tmp, CHECKPOINT_FILES.trainer), c.trainer);
}

function checkMeta(value: unknown, file: string): CheckpointMeta {
  const fail = (what: string) => new CheckpointError(`${file}: "thanora".${what}; the checkpoint was not written by \`thanora train\`, merge it with --model and --adapter instead`);
  if (typeof value !== 'object' || value === null) throw new CheckpointError(`${file} has no "thanora" field (CheckpointMeta); to merge a plain PEFT adapter use --model M.onnx --adapter DIR`);
  const m = value as Record<string, unknown>;
  if (!isMethodName(m.method)) throw fail(`method is ${JSON.stringify(m.method)}, not ${METHOD_NAMES.join(' | ')}`);
  if (!Array.isArray(m.tasks) || !m.tasks.every((t) => typeof t === 'string')) throw fail('tasks must be a list of task names');
  if (typeof m.residual !== 'boolean') throw fail('residual must be true or false');
  // Merging a residual method's adapter onto W instead of W′ (or the reverse) would be wrong by s·B₀A₀.
  if (m.residual !== methodSpec(m.method).residual) throw fail(`residual is ${m.residual}, but ${m.method} ${methodSpec(m.method).residual ? 'trains on the residual W′' : 'trains on W itself'}`);
  if (typeof m.baseModel !== 'string' || !m.baseModel) throw fail('baseModel must be the path of the base ONNX model');
  if (typeof m.moduleMap !== 'object' || m.moduleMap === null) throw fail('moduleMap must map PEFT module names to { initializer, node, op, stored }');
  if (typeof m.blocks !== 'object' || m.blocks === null) throw fail('blocks must map module names to { taskRanks, cooperativeRank }');
  if (!Number.isInteger(m.step)) throw fail('step must be an integer');
  return m as unknown as CheckpointMeta;
}

const loraKey = /^(?:base_model\.model\.)?(.+)\.lora_(A|B)(?:\.[^.]+)?\.weight$/;

/** init_adapter.safetensors: the same keys as the adapter, A₀ [r₀, d_in] and B₀ [d_out, r₀] per module. */
export function readInitBlocks(file: string): Map<string, LoraPair> {
  if (!fs.existsSync(file)) throw new CheckpointError(`${file} is missing; a residual checkpoint (${METHOD_NAMES.filter((m) => methodSpec(m).residual).join(', ')}) keeps the init blocks A₀, B₀ there, without them W' cannot be rebuilt`);
  const sides = new Map<string, Partial<LoraPair>>();
  for (const [key, tensor] of readSafetensors(file).tensors) {
    const match = loraKey.exec(key);
    if (!match) throw new CheckpointError(`${file}: tensor '${key}' is not a lora_A/lora_B weight`);
    const pair = sides.get(match[1]) ?? {};
    pair[match[2] as 'A' | 'B'] = tensor;
    sides.set(match[1], pair);
  }
  const pairs = new Map<string, LoraPair>();
  for (const [module, pair] of sides) {
    if (!pair.A || !pair.B) throw new CheckpointError(`${file}: module '${module}' has lora_${pair.A ? 'A' : 'B'} but no lora_${pair.A ? 'B' : 'A'}; the file is incomplete`);
    pairs.set(module, pair as LoraPair);
  }
  return pairs;
}

export interface CheckpointAdapter {
  checkpointDir: string;
  meta: CheckpointMeta;
  /** The trained A, B; its config's module_map is the checkpoint's. */
  adapter: PeftAdapter;
  /** A₀, B₀ by PEFT module name (residual methods). */
  init?: Map<string, LoraPair>;
}

/** The adapter part of a checkpoint folder: what merging needs. */
export function readCheckpointAdapter(checkpointDir: string): CheckpointAdapter {
  const adapter = readPeftAdapter(checkpointDir);
  const meta = checkMeta(adapter.config.thanora, adapter.configFile);
  adapter.config = { ...adapter.config, module_map: adapter.config.module_map ?? meta.moduleMap };
  const init = meta.residual ? readInitBlocks(path.join(checkpointDir, CHECKPOINT_FILES.init)) : undefined;
  return { checkpointDir, meta, adapter, init };
}

/** The optimizer and trainer state of a checkpoint folder: what resuming needs on top of the adapter. */
export function readCheckpointTrainingState(checkpointDir: string): { optimizer: AdamWState; trainer: TrainerState } {
  const optimizerFile = path.join(checkpointDir, CHECKPOINT_FILES.optimizer);
  const optimizer = adamwStateFromSafetensors(readSafetensors(optimizerFile), optimizerFile);
  const trainer = JSON.parse(fs.readFileSync(path.join(checkpointDir, CHECKPOINT_FILES.trainer), 'utf8')) as TrainerState;
  return { optimizer, trainer };
}
