// Finds and reads what `thanora merge <run or checkpoint>` merges: the checkpoint folder (a run folder means its
// last checkpoint), its CheckpointMeta, the trained adapter, the init blocks of residual methods, and the base
// model the run trained on. Layout: src/protocol/run-events.ts.
import * as fs from 'fs';
import * as path from 'path';
import { ADAPTER_CONFIG_FILE, LoraPair, PeftAdapter, readPeftAdapter } from '../io/peft-adapter';
import { readSafetensors } from '../io/safetensors';
import { CheckpointMeta, RUN_FILES, RunStatus } from '../../protocol/run-events';
import { MergeInputError } from './merge-errors';

export const INIT_ADAPTER_FILE = 'init_adapter.safetensors';

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
}

function lastCheckpointOf(runDir: string): string {
  const statusFile = path.join(runDir, RUN_FILES.status);
  if (fs.existsSync(statusFile)) {
    let status: Partial<RunStatus>;
    try {
      status = JSON.parse(fs.readFileSync(statusFile, 'utf8'));
    } catch (e) {
      throw new MergeInputError(`${statusFile} is not valid JSON (${(e as Error).message}); pass a checkpoint folder instead of the run`);
    }
    if (status.lastCheckpoint) {
      const dir = path.resolve(runDir, status.lastCheckpoint);
      if (fs.existsSync(path.join(dir, ADAPTER_CONFIG_FILE))) return dir;
    }
  }
  const root = path.join(runDir, RUN_FILES.checkpoints);
  const steps = fs.existsSync(root) ? fs.readdirSync(root).filter((n) => /^step-\d+$/.test(n)) : [];
  steps.sort((a, b) => Number(a.slice(5)) - Number(b.slice(5)));
  const last = steps.reverse().find((n) => fs.existsSync(path.join(root, n, ADAPTER_CONFIG_FILE)));
  if (!last) throw new MergeInputError(`run ${runDir} has no checkpoint yet (no ${RUN_FILES.checkpoints}/step-*/${ADAPTER_CONFIG_FILE}); wait for the first checkpoint or pass a checkpoint folder`);
  return path.join(root, last);
}

function checkMeta(value: unknown, file: string): CheckpointMeta {
  const fail = (what: string) => new MergeInputError(`${file}: "thanora".${what}; the checkpoint was not written by \`thanora train\`, merge it with --model and --adapter instead`);
  if (typeof value !== 'object' || value === null) throw new MergeInputError(`${file} has no "thanora" field (CheckpointMeta); to merge a plain PEFT adapter use --model M.onnx --adapter DIR`);
  const m = value as Record<string, unknown>;
  if (!['thanora', 'lora', 'pissa', 'corda'].includes(m.method as string)) throw fail(`method is ${JSON.stringify(m.method)}, not thanora | lora | pissa | corda`);
  if (!Array.isArray(m.tasks) || !m.tasks.every((t) => typeof t === 'string')) throw fail('tasks must be a list of task names');
  if (typeof m.residual !== 'boolean') throw fail('residual must be true or false');
  if (typeof m.baseModel !== 'string' || !m.baseModel) throw fail('baseModel must be the path of the base ONNX model');
  if (typeof m.moduleMap !== 'object' || m.moduleMap === null) throw fail('moduleMap must map PEFT module names to { initializer, node, op, stored }');
  if (typeof m.blocks !== 'object' || m.blocks === null) throw fail('blocks must map module names to { taskRanks, cooperativeRank }');
  if (!Number.isInteger(m.step)) throw fail('step must be an integer');
  return m as unknown as CheckpointMeta;
}

const loraKey = /^(?:base_model\.model\.)?(.+)\.lora_(A|B)(?:\.[^.]+)?\.weight$/;

/** init_adapter.safetensors: the same keys as the adapter, A₀ [r₀, d_in] and B₀ [d_out, r₀] per module. */
export function readInitBlocks(file: string): Map<string, LoraPair> {
  if (!fs.existsSync(file)) throw new MergeInputError(`${file} is missing; a residual checkpoint (thanora, pissa, corda) keeps the init blocks A₀, B₀ there, without them W' cannot be rebuilt`);
  const sides = new Map<string, Partial<LoraPair>>();
  for (const [key, tensor] of readSafetensors(file).tensors) {
    const match = loraKey.exec(key);
    if (!match) throw new MergeInputError(`${file}: tensor '${key}' is not a lora_A/lora_B weight`);
    const pair = sides.get(match[1]) ?? {};
    pair[match[2] as 'A' | 'B'] = tensor;
    sides.set(match[1], pair);
  }
  const pairs = new Map<string, LoraPair>();
  for (const [module, pair] of sides) {
    if (!pair.A || !pair.B) throw new MergeInputError(`${file}: module '${module}' has lora_${pair.A ? 'A' : 'B'} but no lora_${pair.A ? 'B' : 'A'}; the file is incomplete`);
    pairs.set(module, pair as LoraPair);
  }
  return pairs;
}

/** Reads a run folder (its last checkpoint) or a checkpoint folder. `baseModel` overrides the recorded path. */
export function readCheckpoint(input: string, options: { baseModel?: string } = {}): CheckpointSource {
  const given = path.resolve(input);
  if (!fs.existsSync(given) || !fs.statSync(given).isDirectory()) throw new MergeInputError(`${input} is not a folder; pass a run folder or one of its checkpoints/step-* folders`);
  const isCheckpoint = fs.existsSync(path.join(given, ADAPTER_CONFIG_FILE));
  const checkpointDir = isCheckpoint ? given : lastCheckpointOf(given);
  const parent = path.dirname(checkpointDir);
  const runDir = isCheckpoint ? (path.basename(parent) === RUN_FILES.checkpoints ? path.dirname(parent) : undefined) : given;
  const configCandidate = runDir ? path.join(runDir, RUN_FILES.config) : undefined;
  const runConfigFile = configCandidate && fs.existsSync(configCandidate) ? configCandidate : undefined;
  const adapter = readPeftAdapter(checkpointDir);
  const meta = checkMeta(adapter.config.thanora, adapter.configFile);
  adapter.config = { ...adapter.config, module_map: adapter.config.module_map ?? meta.moduleMap };
  const init = meta.residual ? readInitBlocks(path.join(checkpointDir, INIT_ADAPTER_FILE)) : undefined;
  // A relative baseModel is relative to the run's config.json (the run folder), else to the checkpoint.
  const baseModelFile = options.baseModel ? path.resolve(options.baseModel) : path.resolve(runDir ?? checkpointDir, meta.baseModel);
  if (!fs.existsSync(baseModelFile)) {
    throw new MergeInputError(`the run's base model ${baseModelFile} (baseModel "${meta.baseModel}" in ${adapter.configFile}) does not exist; pass --model with its new location`);
  }
  return { checkpointDir, runDir, runConfigFile, meta, adapter, init, baseModelFile, defaultOutDir: path.join(isCheckpoint ? checkpointDir : given, RUN_FILES.merged) };
}
