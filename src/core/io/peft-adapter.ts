// A PEFT LoRA adapter folder: adapter_config.json + adapter_model.safetensors (PEFT's names), keys
// `base_model.model.<module>.lora_A.weight` (A: [r, d_in]) and `…lora_B.weight` (B: [d_out, r]),
// so ΔW = (lora_alpha / r) · B·A  (d_out, d_in).
import * as fs from 'fs';
import * as path from 'path';
import { writeFileAtomic } from './atomic-write';
import { encodeSafetensors, readSafetensors } from './safetensors';
import type { SafeTensor } from './safetensors';
import { PROJECT_CONFIG_FIELDS, readThanoraAdapterFile, writeThanoraAdapterFile } from './thanora-adapter-file';

export class PeftAdapterError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}
/** adapter_config.json or the weights file is absent. */
export class PeftAdapterMissingFileError extends PeftAdapterError {}
/** adapter_config.json is not JSON, or lacks / mistypes r, lora_alpha or target_modules. */
export class PeftAdapterConfigError extends PeftAdapterError {}
/** A lora_A without its lora_B (or the reverse), or the same module twice. */
export class PeftAdapterPairError extends PeftAdapterError {}
/** A and B are not 2-D, disagree on the rank, or the rank is not the config's r. */
export class PeftAdapterShapeError extends PeftAdapterError {}
/** A tensor that is neither lora_A/lora_B nor the weight or bias of a module listed in modules_to_save. */
export class PeftAdapterUnknownKeyError extends PeftAdapterError {}

export interface ModuleMapEntry {
  initializer: string;
  node: string;
  op: string;
  stored: string;
  [key: string]: unknown;
}

/**
 * The parsed adapter_config.json; fields we do not model are kept as they are. module_map and thanora come from
 * thanora_adapter.json beside it (thanora-adapter-file.ts) and are written back there, never into the PEFT file.
 */
export interface PeftAdapterConfig {
  r: number;
  lora_alpha: number;
  target_modules: string[] | string;
  /** PEFT module name -> the ONNX initializer and node it adapts. */
  module_map?: Record<string, ModuleMapEntry>;
  task?: string;
  [key: string]: unknown;
}

export interface LoraPair {
  /** [r, d_in] */
  A: SafeTensor;
  /** [d_out, r] */
  B: SafeTensor;
}

export interface PeftAdapter {
  config: PeftAdapterConfig;
  /** Keyed by PEFT module name, e.g. `model.layers.0.self_attn.q_proj`. */
  tensors: Map<string, LoraPair>;
  /** modules_to_save tensors keyed by `<module>.<weight|bias>` (e.g. `classifier.weight`), with the file's key. */
  modulesToSave: Map<string, { key: string; tensor: SafeTensor }>;
  configFile: string;
  weightsFile: string;
}

export const ADAPTER_CONFIG_FILE = 'adapter_config.json';
export const ADAPTER_WEIGHTS_FILE = 'adapter_model.safetensors';
const WEIGHTS_FILE_CANDIDATES = [ADAPTER_WEIGHTS_FILE, 'adapter.safetensors'];
const KEY_PREFIX = 'base_model.model.';

const taskTypeOfTask: Record<string, string> = { causal_lm: 'CAUSAL_LM', sequence_classification: 'SEQ_CLS' };

function parseConfig(file: string): PeftAdapterConfig {
  let value: unknown;
  try {
    value = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new PeftAdapterConfigError(`${file} is not valid JSON: ${(e as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new PeftAdapterConfigError(`${file} must hold a JSON object`);
  checkConfig(value as Record<string, unknown>, file);
  return value as PeftAdapterConfig;
}

function checkConfig(c: Record<string, unknown>, where: string): void {
  const fail = (what: string) => new PeftAdapterConfigError(`${where}: ${what}`);
  if (c.peft_type !== undefined && c.peft_type !== 'LORA') throw fail(`peft_type is "${c.peft_type}"; only LORA adapters are supported`);
  if (!Number.isInteger(c.r) || (c.r as number) <= 0) throw fail(`"r" must be a positive integer, got ${JSON.stringify(c.r)}`);
  if (typeof c.lora_alpha !== 'number' || !Number.isFinite(c.lora_alpha)) throw fail(`"lora_alpha" must be a number, got ${JSON.stringify(c.lora_alpha)}`);
  const t = c.target_modules;
  if (!(typeof t === 'string' || (Array.isArray(t) && t.every((m) => typeof m === 'string')))) {
    throw fail(`"target_modules" must be a list of module names (or a regex string), got ${JSON.stringify(t)}`);
  }
}

/** `<prefix><module>.lora_A[.<adapter name>][.weight]` -> module and side; undefined for other tensors. */
function parseLoraKey(key: string): { module: string; side: 'A' | 'B' } | undefined {
  const m = /^(.+)\.lora_(A|B)(?:\.weight|\.[^.]+\.weight)?$/.exec(key);
  if (!m) return undefined;
  const module = m[1].startsWith(KEY_PREFIX) ? m[1].slice(KEY_PREFIX.length) : m[1];
  return { module, side: m[2] as 'A' | 'B' };
}

/** config.modules_to_save as a list (PEFT allows null). */
export function modulesToSaveOf(config: PeftAdapterConfig): string[] {
  const m = config.modules_to_save;
  return Array.isArray(m) ? m.filter((x): x is string => typeof x === 'string') : [];
}

/** The entries PEFT's SEQ_CLS task always adds to modules_to_save (PeftModelForSequenceClassification). */
export const SEQ_CLS_MODULES_TO_SAVE: readonly string[] = ['classifier', 'score'];

/**
 * modules_to_save entries for saved linear modules, as PEFT must see them: under SEQ_CLS, PEFT itself wraps the
 * whole `classifier` / `score` module, so a saved module inside one (RoBERTa's `classifier.out_proj`) is listed as
 * that head (`classifier`): a second wrapper inside the first would make PEFT's loader fail. Others keep their name.
 */
export function peftModulesToSaveEntries(modules: readonly string[], taskType: unknown): string[] {
  const entries = modules.map((m) => {
    if (taskType !== 'SEQ_CLS') return m;
    const parts = m.split('.');
    const head = parts.findIndex((p) => SEQ_CLS_MODULES_TO_SAVE.includes(p));
    return head >= 0 ? parts.slice(0, head + 1).join('.') : m;
  });
  return [...new Set(entries)].sort();
}

// PEFT wraps every module whose name equals a modules_to_save entry or ends with `.<entry>`, with all its
// children: a parameter belongs to a saved module when the entry's components appear as a run of its module's
// (`classifier` saves `classifier.weight` and `classifier.out_proj.weight`; `bert.pooler` `bert.pooler.dense.bias`).
export function matchesModulesToSave(moduleName: string, entry: string): boolean {
  const parts = moduleName.split('.');
  const want = entry.split('.');
  for (let start = 0; start + want.length <= parts.length; start++) {
    if (want.every((w, i) => parts[start + i] === w)) return true;
  }
  return false;
}

/**
 * A modules_to_save key -> `<module>.<param>`. PEFT saves `base_model.model.<module>.<param>` (and holds
 * `<module>.modules_to_save.<adapter>.<param>` in memory); the module must match an entry of modules_to_save.
 */
function parseSavedKey(key: string, saved: readonly string[]): string | undefined {
  const m = /^(?:base_model\.model\.)?(.+)\.(weight|bias)$/.exec(key.replace(/\.modules_to_save\.[^.]+(?=\.)/, ''));
  if (!m) return undefined;
  const module = m[1];
  return saved.some((e) => matchesModulesToSave(module, e)) ? `${module}.${m[2]}` : undefined;
}

/**
 * The rank_pattern / alpha_pattern value for a module, as PEFT's get_pattern_key finds it: the first key that,
 * read as a regex, matches the whole name or a `.`-suffix of it (`(.*\.)?(key)$`); undefined when none does.
 */
export function patternValue(pattern: unknown, moduleName: string): number | undefined {
  if (typeof pattern !== 'object' || pattern === null) return undefined;
  for (const [key, value] of Object.entries(pattern as Record<string, number>)) {
    if (new RegExp(`^(?:.*\\.)?(?:${key})$`).test(moduleName)) return value;
  }
  return undefined;
}

/** The rank PEFT will build the module with: r, unless a rank_pattern may say otherwise. */
function expectedRank(config: PeftAdapterConfig): number | undefined {
  const pattern = config.rank_pattern;
  const hasPattern = typeof pattern === 'object' && pattern !== null && Object.keys(pattern).length > 0;
  return hasPattern ? undefined : config.r;
}

function checkPair(module: string, pair: LoraPair, rank: number | undefined, where: string): void {
  const { A, B } = pair;
  if (A.shape.length !== 2 || B.shape.length !== 2) {
    throw new PeftAdapterShapeError(`${where}: module '${module}' has lora_A [${A.shape}] and lora_B [${B.shape}]; both must be 2-D (A: [r, d_in], B: [d_out, r])`);
  }
  if (A.shape[0] !== B.shape[1]) {
    throw new PeftAdapterShapeError(
      `${where}: module '${module}' has lora_A [${A.shape}] (rank ${A.shape[0]}) but lora_B [${B.shape}] (rank ${B.shape[1]}); A must be [r, d_in] and B [d_out, r] with the same r`,
    );
  }
  if (rank !== undefined && A.shape[0] !== rank) {
    throw new PeftAdapterShapeError(
      `${where}: module '${module}' has rank ${A.shape[0]} but the config's r is ${rank} and there is no rank_pattern; PEFT could not load it. Set r, or add rank_pattern (and alpha_pattern to keep the scale)`,
    );
  }
}

export function readPeftAdapter(dir: string): PeftAdapter {
  const configFile = path.join(dir, ADAPTER_CONFIG_FILE);
  if (!fs.existsSync(configFile)) {
    throw new PeftAdapterMissingFileError(`${dir} has no ${ADAPTER_CONFIG_FILE}; a PEFT adapter folder holds ${ADAPTER_CONFIG_FILE} and ${ADAPTER_WEIGHTS_FILE}`);
  }
  const weightsFile = WEIGHTS_FILE_CANDIDATES.map((f) => path.join(dir, f)).find((f) => fs.existsSync(f));
  if (!weightsFile) {
    const pickle = fs.existsSync(path.join(dir, 'adapter_model.bin'));
    throw new PeftAdapterMissingFileError(
      `${dir} has no ${WEIGHTS_FILE_CANDIDATES.join(' or ')}${pickle ? '; it has adapter_model.bin (pickle), which is not read: re-save it with save_pretrained(..., safe_serialization=True)' : ''}`,
    );
  }
  const config = { ...parseConfig(configFile), ...readThanoraAdapterFile(dir) } as PeftAdapterConfig;
  const sides = new Map<string, Partial<LoraPair> & { keys: Partial<Record<'A' | 'B', string>> }>();
  const modulesToSave = new Map<string, { key: string; tensor: SafeTensor }>();
  const savedModules = modulesToSaveOf(config);
  for (const [key, tensor] of readSafetensors(weightsFile).tensors) {
    const parsed = parseLoraKey(key);
    if (!parsed) {
      const saved = parseSavedKey(key, savedModules);
      if (!saved) {
        throw new PeftAdapterUnknownKeyError(
          `${weightsFile}: tensor '${key}' is neither a lora_A/lora_B nor the weight or bias of a module in modules_to_save ` +
            `(${savedModules.length ? savedModules.join(', ') : 'none in ' + ADAPTER_CONFIG_FILE}); LoRA biases, DoRA magnitudes and other adapter types are not supported. Remove it or list its module in modules_to_save`,
        );
      }
      const earlier = modulesToSave.get(saved);
      if (earlier) throw new PeftAdapterPairError(`${weightsFile}: '${key}' and '${earlier.key}' both hold '${saved}'; keep one adapter per file`);
      modulesToSave.set(saved, { key, tensor });
      continue;
    }
    const entry = sides.get(parsed.module) ?? { keys: {} };
    const earlier = entry.keys[parsed.side];
    if (earlier) {
      throw new PeftAdapterPairError(`${weightsFile}: '${key}' and '${earlier}' are both lora_${parsed.side} of module '${parsed.module}'; keep one adapter per file`);
    }
    entry[parsed.side] = tensor;
    entry.keys[parsed.side] = key;
    sides.set(parsed.module, entry);
  }
  const tensors = new Map<string, LoraPair>();
  const rank = expectedRank(config);
  for (const [module, entry] of sides) {
    if (!entry.A || !entry.B) {
      const has = entry.keys.A ?? entry.keys.B;
      throw new PeftAdapterPairError(`${weightsFile}: '${has}' has no matching lora_${entry.A ? 'B' : 'A'} for module '${module}'; the file is incomplete`);
    }
    const pair = { A: entry.A, B: entry.B };
    checkPair(module, pair, rank, weightsFile);
    tensors.set(module, pair);
  }
  return { config, tensors, modulesToSave, configFile, weightsFile };
}

export interface WritePeftAdapterOptions {
  config: PeftAdapterConfig;
  tensors: ReadonlyMap<string, LoraPair> | Readonly<Record<string, LoraPair>>;
  /** modules_to_save tensors by `<module>.<weight|bias>` in PyTorch's layout; each module must be in config.modules_to_save. */
  modulesToSave?: ReadonlyMap<string, SafeTensor>;
  /** Written as base_model_name_or_path (default: the config's, else null). */
  baseModelName?: string;
}

/** Keys PEFT's LoraConfig defines that we set ourselves; everything else in the config is passed through. */
const PEFT_FIELDS = ['peft_type', 'task_type', 'base_model_name_or_path', 'r', 'lora_alpha', 'target_modules', 'lora_dropout', 'fan_in_fan_out', 'bias', 'inference_mode'];

/** Keys of the engine's own that are not PEFT's: `task` becomes task_type, the rest go to thanora_adapter.json. */
const NOT_PEFT_FIELDS: readonly string[] = ['task', ...PROJECT_CONFIG_FIELDS];

/**
 * PEFT's adapter_config.json for `config`: ThanoRA trains without dropout or LoRA biases. Only PEFT's own keys (and
 * keys a PEFT config read from disk already had) are written, so PEFT loads it without an unknown-key warning.
 */
export function peftConfigJson(config: PeftAdapterConfig, baseModelName?: string): Record<string, unknown> {
  const task = config.task;
  if (task !== undefined && !(task in taskTypeOfTask)) {
    throw new PeftAdapterConfigError(`config: task "${task}" has no PEFT task_type; use one of ${Object.keys(taskTypeOfTask).join(', ')}`);
  }
  const extras = Object.fromEntries(Object.entries(config).filter(([k]) => !PEFT_FIELDS.includes(k) && !NOT_PEFT_FIELDS.includes(k)));
  return {
    peft_type: 'LORA',
    task_type: task !== undefined ? taskTypeOfTask[task] : (config.task_type ?? null),
    base_model_name_or_path: baseModelName ?? config.base_model_name_or_path ?? null,
    r: config.r,
    lora_alpha: config.lora_alpha,
    target_modules: config.target_modules,
    lora_dropout: 0,
    fan_in_fan_out: false,
    bias: 'none',
    inference_mode: true,
    ...extras,
  };
}

/**
 * Writes adapter_model.safetensors, thanora_adapter.json (module_map, thanora; when set) then adapter_config.json,
 * each atomically; the config appears last.
 */
export function writePeftAdapter(dir: string, options: WritePeftAdapterOptions): void {
  const { config, baseModelName } = options;
  checkConfig(config, 'config');
  const pairs = options.tensors instanceof Map ? [...options.tensors.entries()] : Object.entries(options.tensors);
  const rank = expectedRank(config);
  const flat = new Map<string, SafeTensor>();
  for (const [module, pair] of pairs as [string, LoraPair][]) {
    if (!pair?.A || !pair?.B) throw new PeftAdapterPairError(`module '${module}' needs both A and B to be written`);
    checkPair(module, pair, rank, 'writing adapter');
    flat.set(`${KEY_PREFIX}${module}.lora_A.weight`, pair.A);
    flat.set(`${KEY_PREFIX}${module}.lora_B.weight`, pair.B);
  }
  const saved = modulesToSaveOf(config);
  for (const [name, tensor] of options.modulesToSave ?? []) {
    const key = `${KEY_PREFIX}${name}`;
    if (parseSavedKey(key, saved) !== name) {
      throw new PeftAdapterConfigError(`config: '${name}' is written as a modules_to_save tensor, but modules_to_save (${saved.join(', ') || 'none'}) has no entry for its module; PEFT would not load it`);
    }
    flat.set(key, tensor);
  }
  writeFileAtomic(path.join(dir, ADAPTER_WEIGHTS_FILE), encodeSafetensors(flat, { format: 'pt' }));
  writeThanoraAdapterFile(dir, { module_map: config.module_map, thanora: config.thanora });
  writeFileAtomic(path.join(dir, ADAPTER_CONFIG_FILE), JSON.stringify(peftConfigJson(config, baseModelName), null, 2) + '\n');
}
