// The merged model of an imported base, written back as a Hugging Face folder (<merged>/hf): config.json,
// generation and tokenizer files, and the merged weights as safetensors, loadable by transformers, vLLM or
// llama.cpp's converter. When the base referenced the checkpoint's own safetensors files, the merge has already
// written patched copies of them (same header, merged bytes): those are hard-linked into the folder as they
// are. Otherwise (weights converted at import) one model.safetensors is streamed tensor by tensor from the
// merged model, under the checkpoint's keys, in the graph's dtype, and config.json says that dtype.
import * as fs from 'fs';
import * as path from 'path';
import { writeFileAtomic, writeJsonAtomic } from '../io/atomic-write';
import { SafetensorsDtype, streamSafetensors } from '../io/safetensors';
import { readTensorBytes } from '../onnx/external-data';
import { readModelFile } from '../onnx/model-file';
import { DataType, ModelProto, dataTypeName } from '../onnx/types';
import { SAFETENSORS_FILE, SAFETENSORS_INDEX_FILE } from './hf-folder';
import { readImportRecord } from './import-hf-model';
import { HfImportError } from './import-errors';
import { HF_SIDE_FILES } from './write-imported-model';

export const HF_EXPORT_FOLDER = 'hf';

export interface HfExport {
  dir: string;
  /** 'linked': the merge's patched safetensors files; 'written': streamed from the merged model. */
  weights: 'linked' | 'written';
  files: string[];
}

const exportDtype: Partial<Record<DataType, { safetensors: SafetensorsDtype; torch: string }>> = {
  [DataType.FLOAT]: { safetensors: 'F32', torch: 'float32' },
  [DataType.FLOAT16]: { safetensors: 'F16', torch: 'float16' },
};

function linkOrCopy(src: string, dst: string): void {
  fs.rmSync(dst, { force: true });
  try {
    fs.linkSync(src, dst);
  } catch {
    fs.copyFileSync(src, dst);
  }
}

// Every checkpoint weight of the merged model sits in a safetensors file at the offset the original had.
function patchedShards(merged: ModelProto, weights: Record<string, string>): string[] | undefined {
  const byName = new Map(merged.graph.initializers.map((t) => [t.name, t]));
  const locations = new Set<string>();
  for (const name of Object.keys(weights)) {
    const location = byName.get(name)?.external?.location;
    if (!location || !location.endsWith('.safetensors')) return undefined;
    locations.add(location);
  }
  return [...locations];
}

/**
 * Writes <dirname(mergedModelFile)>/hf for a merged model whose base came from `thanora import`; returns
 * undefined for other bases (nothing to export).
 */
export function exportHuggingFaceFolder(baseModelFile: string, mergedModelFile: string): HfExport | undefined {
  const base = readModelFile(baseModelFile, { loadExternalData: false });
  const record = readImportRecord(base);
  if (!record) return undefined;
  const baseDir = path.dirname(baseModelFile);
  const mergedDir = path.dirname(mergedModelFile);
  const dir = path.join(mergedDir, HF_EXPORT_FOLDER);
  if (!fs.existsSync(path.join(baseDir, 'config.json'))) {
    throw new HfImportError(`${baseDir} has no config.json beside the imported model ${path.basename(baseModelFile)}; re-import the Hugging Face folder to export the merged model`);
  }
  fs.mkdirSync(dir, { recursive: true });
  const merged = readModelFile(mergedModelFile, { loadExternalData: false });
  const shards = patchedShards(merged, record.weights);
  const files: string[] = [];
  const config = JSON.parse(fs.readFileSync(path.join(baseDir, 'config.json'), 'utf8')) as Record<string, unknown>;
  if (shards) {
    for (const location of shards) {
      linkOrCopy(path.join(mergedDir, location), path.join(dir, path.basename(location)));
      files.push(path.basename(location));
    }
    if (fs.existsSync(path.join(baseDir, SAFETENSORS_INDEX_FILE))) {
      writeFileAtomic(path.join(dir, SAFETENSORS_INDEX_FILE), fs.readFileSync(path.join(baseDir, SAFETENSORS_INDEX_FILE)));
      files.push(SAFETENSORS_INDEX_FILE);
    }
  } else {
    const byName = new Map(merged.graph.initializers.map((t) => [t.name, t]));
    const tensors = Object.entries(record.weights).map(([name, key]) => {
      const t = byName.get(name);
      if (!t?.external) throw new HfImportError(`${mergedModelFile}: no external initializer '${name}' (checkpoint key '${key}'); the merged model does not match its import record`);
      const dtype = exportDtype[t.dataType];
      if (!dtype) throw new HfImportError(`${mergedModelFile}: initializer '${name}' is ${dataTypeName(t.dataType)}; the export writes float32 and float16`);
      config.dtype = dtype.torch;
      if ('torch_dtype' in config) config.torch_dtype = dtype.torch;
      return { name: key, dtype: dtype.safetensors, shape: t.dims, bytes: () => readTensorBytes(t, mergedModelFile) };
    });
    streamSafetensors(path.join(dir, SAFETENSORS_FILE), tensors, { format: 'pt' });
    files.push(SAFETENSORS_FILE);
  }
  // The linked weights are the original layout and dtype, so the config stays byte for byte.
  if (shards) writeFileAtomic(path.join(dir, 'config.json'), fs.readFileSync(path.join(baseDir, 'config.json')));
  else writeJsonAtomic(path.join(dir, 'config.json'), config);
  files.push('config.json');
  for (const name of HF_SIDE_FILES.filter((f) => f !== 'config.json')) {
    if (!fs.existsSync(path.join(baseDir, name))) continue;
    writeFileAtomic(path.join(dir, name), fs.readFileSync(path.join(baseDir, name)));
    files.push(name);
  }
  return { dir, weights: shards ? 'linked' : 'written', files };
}
