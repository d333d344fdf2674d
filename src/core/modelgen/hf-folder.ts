// A Hugging Face model folder as the importer sees it: config.json and where each weight's bytes lie, from
// model.safetensors or the shards a model.safetensors.index.json names. Only headers are read; the weights
// stay on disk until ONNX Runtime maps them.
import * as fs from 'fs';
import * as path from 'path';
import { SafetensorsDtype, SafetensorsEntry, readSafetensorsHeader } from '../io/safetensors';
import { SafetensorsError } from '../io/safetensors-errors';
import { HfConfig, JsonObject } from './hf-config';
import { HfImportError } from './import-errors';

export const SAFETENSORS_FILE = 'model.safetensors';
export const SAFETENSORS_INDEX_FILE = 'model.safetensors.index.json';

export interface HfWeight extends SafetensorsEntry {
  key: string;
  /** Absolute path of the safetensors file holding it. */
  file: string;
}

export interface HfFolder {
  dir: string;
  config: HfConfig;
  /** Checkpoint key → where its bytes are. */
  weights: Map<string, HfWeight>;
  /** The safetensors files, absolute, in index order. */
  weightFiles: string[];
  /** The shard index, when the checkpoint is sharded. */
  indexFile?: string;
}

function readJsonObject(file: string, what: string): JsonObject {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new HfImportError(`cannot read the ${what} ${file}: ${(e as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new HfImportError(`the ${what} ${file} is not valid JSON: ${(e as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new HfImportError(`the ${what} ${file} is not a JSON object`);
  return value as JsonObject;
}

function readHeader(file: string, role: string) {
  try {
    return readSafetensorsHeader(file);
  } catch (e) {
    if (e instanceof SafetensorsError) throw new HfImportError(`${role}: ${e.message}`);
    throw e;
  }
}

/** The shard files of an index, each checked to hold exactly the tensors the index assigns to it. */
function shardedWeights(dir: string, indexFile: string): { files: string[]; weights: Map<string, HfWeight> } {
  const index = readJsonObject(indexFile, 'shard index');
  const map = index.weight_map;
  if (typeof map !== 'object' || map === null || Array.isArray(map)) {
    throw new HfImportError(`${indexFile} has no "weight_map" object (tensor name → shard file); the index is damaged, download it again`);
  }
  const byShard = new Map<string, string[]>();
  for (const [key, shard] of Object.entries(map as JsonObject)) {
    if (typeof shard !== 'string' || shard.includes('/') || shard.includes('\\')) {
      throw new HfImportError(`${indexFile}: "weight_map" gives tensor '${key}' the shard ${JSON.stringify(shard)}; expected a file name in the same folder`);
    }
    byShard.set(shard, [...(byShard.get(shard) ?? []), key]);
  }
  if (byShard.size === 0) throw new HfImportError(`${indexFile}: "weight_map" is empty`);
  const weights = new Map<string, HfWeight>();
  const files: string[] = [];
  for (const [shard, keys] of byShard) {
    const file = path.join(dir, shard);
    if (!fs.existsSync(file)) {
      throw new HfImportError(`${indexFile} puts ${keys.length} tensors (e.g. '${keys[0]}') in shard '${shard}', which is missing from ${dir}; download the missing shard`);
    }
    const header = readHeader(file, `shard '${shard}' named by ${path.basename(indexFile)}`);
    for (const key of keys) {
      const entry = header.tensors.get(key);
      if (!entry) throw new HfImportError(`${indexFile} puts tensor '${key}' in '${shard}', but that shard does not hold it; the index and the shards come from different checkpoints`);
      weights.set(key, { ...entry, key, file });
    }
    const extra = [...header.tensors.keys()].filter((k) => (map as JsonObject)[k] !== shard);
    if (extra.length > 0) throw new HfImportError(`shard '${shard}' holds tensor '${extra[0]}', which ${path.basename(indexFile)} does not assign to it; the index and the shards come from different checkpoints`);
    files.push(file);
  }
  return { files, weights };
}

export function openHfFolder(folder: string): HfFolder {
  const dir = path.resolve(folder);
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new HfImportError(`${dir} is not a folder; pass the Hugging Face model folder (with config.json and model.safetensors)`);
  const configFile = path.join(dir, 'config.json');
  if (!fs.existsSync(configFile)) throw new HfImportError(`${dir} has no config.json; pass the folder of a Hugging Face model (as saved by save_pretrained or downloaded from the Hub)`);
  const config = new HfConfig(readJsonObject(configFile, 'model config'), configFile);
  const indexFile = path.join(dir, SAFETENSORS_INDEX_FILE);
  const single = path.join(dir, SAFETENSORS_FILE);
  if (fs.existsSync(indexFile)) {
    const { files, weights } = shardedWeights(dir, indexFile);
    return { dir, config, weights, weightFiles: files, indexFile };
  }
  if (!fs.existsSync(single)) {
    const bins = fs.readdirSync(dir).filter((f) => /\.(bin|pt|pth|ckpt|gguf)$/.test(f));
    const hint = bins.length > 0 ? ` It has ${bins.join(', ')}: only safetensors weights are read (pickled PyTorch files can run code); save the model with save_pretrained(safe_serialization=True).` : '';
    throw new HfImportError(`${dir} has neither ${SAFETENSORS_FILE} nor ${SAFETENSORS_INDEX_FILE}.${hint}`);
  }
  const header = readHeader(single, SAFETENSORS_FILE);
  const weights = new Map<string, HfWeight>();
  for (const [key, entry] of header.tensors) weights.set(key, { ...entry, key, file: single });
  return { dir, config, weights, weightFiles: [single] };
}

export function isFloatDtype(dtype: SafetensorsDtype): boolean {
  return dtype === 'F32' || dtype === 'F16' || dtype === 'BF16' || dtype === 'F64';
}
