// thanora_adapter.json, beside a PEFT adapter's adapter_config.json: what the project knows about the adapter
// beyond PEFT's LoraConfig, so adapter_config.json holds only fields PEFT defines and loads without a warning.
//   module_map  PEFT module name -> the ONNX initializer, node, op and weight layout it adapts
//   thanora     the run's record (CheckpointMeta in checkpoints; method, tasks, blocks and layout in exports)
// Older folders kept both inside adapter_config.json; readers take them from there when this file is absent.
import * as fs from 'fs';
import * as path from 'path';
import { writeFileAtomic } from './atomic-write';

export const THANORA_ADAPTER_FILE = 'thanora_adapter.json';

/** The config keys that live in thanora_adapter.json, never in adapter_config.json. */
export const PROJECT_CONFIG_FIELDS = ['module_map', 'thanora'] as const;

export type ThanoraAdapterFields = Partial<Record<(typeof PROJECT_CONFIG_FIELDS)[number], unknown>>;

export class ThanoraAdapterFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** The fields of `<dir>/thanora_adapter.json`, or undefined when the folder has none. */
export function readThanoraAdapterFile(dir: string): ThanoraAdapterFields | undefined {
  const file = path.join(dir, THANORA_ADAPTER_FILE);
  if (!fs.existsSync(file)) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ThanoraAdapterFileError(`${file} is not valid JSON: ${(e as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ThanoraAdapterFileError(`${file} must hold a JSON object`);
  const unknown = Object.keys(value).filter((k) => !(PROJECT_CONFIG_FIELDS as readonly string[]).includes(k));
  if (unknown.length > 0) throw new ThanoraAdapterFileError(`${file}: unknown field${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `"${k}"`).join(', ')}; it holds only ${PROJECT_CONFIG_FIELDS.join(' and ')}`);
  return value as ThanoraAdapterFields;
}

/** Writes the fields that are set (atomically); with none, removes a stale file. Returns the file written, if any. */
export function writeThanoraAdapterFile(dir: string, fields: ThanoraAdapterFields): string | undefined {
  const present = Object.fromEntries(PROJECT_CONFIG_FIELDS.filter((k) => fields[k] !== undefined).map((k) => [k, fields[k]]));
  const file = path.join(dir, THANORA_ADAPTER_FILE);
  if (Object.keys(present).length === 0) {
    fs.rmSync(file, { force: true });
    return undefined;
  }
  writeFileAtomic(file, JSON.stringify(present, null, 2) + '\n');
  return file;
}
