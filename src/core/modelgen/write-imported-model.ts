// Writes an imported graph: model.onnx whose initializers point into the checkpoint's own safetensors files
// (safetensors data is contiguous little-endian, so offset + length is all ONNX external data needs), and,
// only for tensors whose dtype must change, one `<model>.data` file written once, tensor by tensor in chunks.
// ONNX Runtime resolves external data inside the model's folder only (symlinks resolved: a Hub cache
// snapshot links into ../../blobs), so a checkpoint outside it is hard-linked in, or copied when linking
// fails. The small Hugging Face files (config, tokenizer) are copied beside the model so the folder is
// complete for training and for the Hugging Face export of the merged model.
import * as fs from 'fs';
import * as path from 'path';
import { writeFileAtomic } from '../io/atomic-write';
import { SafetensorsDtype } from '../io/safetensors';
import { encodeModel } from '../onnx/model-codec';
import { bfloat16ToFloat, floatToHalf, halfToFloat } from '../onnx/tensor-data';
import { DataType, dataTypeSize } from '../onnx/types';
import { PlannedWeight, safetensorsDataType } from './checkpoint-weights';
import { SAFETENSORS_INDEX_FILE } from './hf-folder';
import { ImportedModel } from './import-hf-model';
import { HfImportError } from './import-errors';

/** The Hugging Face files (besides weights) that make a model folder: copied beside an imported model. */
export const HF_SIDE_FILES = [
  'config.json', 'generation_config.json', 'tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json',
  'tokenizer.model', 'vocab.json', 'merges.txt', 'vocab.txt', 'added_tokens.json', 'chat_template.jinja', 'chat_template.json',
];

export interface WrittenWeightFile {
  /** Relative to the model's folder. */
  location: string;
  how: 'in place' | 'hard link' | 'copy' | 'converted';
  bytes: number;
}

export interface WrittenImport {
  file: string;
  weightFiles: WrittenWeightFile[];
  /** Side files copied beside the model. */
  copied: string[];
  parameters: number;
}

const CHUNK_ELEMENTS = 1 << 20;

function toPosix(p: string): string {
  return p.split(path.sep).join('/');
}

function sameInode(a: string, b: string): boolean {
  try {
    const sa = fs.statSync(a);
    const sb = fs.statSync(b);
    return sa.dev === sb.dev && sa.ino === sb.ino;
  } catch {
    return false;
  }
}

// Makes the safetensors file `source` readable from `dir`: in place when it already lies inside (real
// paths), else a hard link (no bytes copied) or, across file systems, a copy (by the OS, off the event loop).
async function placeWeightFile(source: string, dir: string, spareDir: string): Promise<WrittenWeightFile> {
  const real = fs.realpathSync(source);
  const bytes = fs.statSync(real).size;
  const inside = path.relative(fs.realpathSync(dir), real);
  if (!inside.startsWith('..') && !path.isAbsolute(inside)) return { location: toPosix(inside), how: 'in place', bytes };
  for (const folder of [dir, spareDir]) {
    const target = path.join(folder, path.basename(source));
    if (fs.existsSync(target) || isSymlink(target)) {
      if (sameInode(target, real) && !isSymlink(target)) return { location: toPosix(path.relative(dir, target)), how: 'hard link', bytes };
      continue;
    }
    fs.mkdirSync(folder, { recursive: true });
    try {
      fs.linkSync(real, target);
      return { location: toPosix(path.relative(dir, target)), how: 'hard link', bytes };
    } catch {
      const tmp = `${target}.tmp-${process.pid}`;
      await fs.promises.copyFile(real, tmp);
      fs.renameSync(tmp, target);
      return { location: toPosix(path.relative(dir, target)), how: 'copy', bytes };
    }
  }
  throw new HfImportError(`cannot place ${source} beside the model: ${path.join(dir, path.basename(source))} and ${path.join(spareDir, path.basename(source))} are other files; choose another --out folder`);
}

function isSymlink(p: string): boolean {
  try {
    return fs.lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}

const readElement: Record<string, (dv: DataView, i: number) => number> = {
  F32: (dv, i) => dv.getFloat32(i * 4, true),
  F64: (dv, i) => dv.getFloat64(i * 8, true),
  F16: (dv, i) => halfToFloat(dv.getUint16(i * 2, true)),
  BF16: (dv, i) => bfloat16ToFloat(dv.getUint16(i * 2, true)),
};

// src (safetensors dtype) → dst (FLOAT or FLOAT16) bytes, round to nearest even.
function convert(src: Uint8Array, dtype: SafetensorsDtype, dst: DataType): Uint8Array {
  const read = readElement[dtype];
  const n = src.length / (dtype === 'F64' ? 8 : dtype === 'F32' ? 4 : 2);
  const inView = new DataView(src.buffer, src.byteOffset, src.byteLength);
  const out = new Uint8Array(n * dataTypeSize[dst]);
  const outView = new DataView(out.buffer);
  for (let i = 0; i < n; i++) {
    const v = read(inView, i);
    if (dst === DataType.FLOAT) outView.setFloat32(i * 4, v, true);
    else outView.setUint16(i * 2, floatToHalf(v), true);
  }
  return out;
}

// Writes the converted tensors to `file` (temp name, then renamed) and returns each one's offset and length.
// Converts one chunk at a time and yields between chunks, so a caller's event loop (the extension host) runs on.
async function writeConverted(file: string, weights: readonly PlannedWeight[], onProgress?: (done: number, total: number) => void): Promise<Map<string, { offset: number; length: number }>> {
  const placed = new Map<string, { offset: number; length: number }>();
  const tmp = `${file}.tmp-${process.pid}`;
  const out = fs.openSync(tmp, 'w');
  const inputs = new Map<string, number>();
  const total = weights.reduce((sum, w) => sum + w.source.length, 0);
  let converted = 0;
  try {
    let offset = 0;
    for (const w of weights) {
      let fd = inputs.get(w.source.file);
      if (fd === undefined) inputs.set(w.source.file, (fd = fs.openSync(w.source.file, 'r')));
      const pad = (4096 - (offset % 4096)) % 4096;
      if (pad) fs.writeSync(out, new Uint8Array(pad));
      offset += pad;
      const start = offset;
      const elementSize = w.source.length / w.dims.reduce((a, b) => a * b, 1);
      for (let done = 0; done < w.source.length; ) {
        const length = Math.min(CHUNK_ELEMENTS * elementSize, w.source.length - done);
        const chunk = new Uint8Array(length);
        fs.readSync(fd, chunk, 0, length, w.source.offset + done);
        const bytes = convert(chunk, w.source.dtype, w.dataType);
        fs.writeSync(out, bytes);
        offset += bytes.length;
        done += length;
        converted += length;
        onProgress?.(converted, total);
        await new Promise((resolve) => setImmediate(resolve));
      }
      placed.set(w.name, { offset: start, length: offset - start });
    }
    fs.fsyncSync(out);
  } catch (e) {
    fs.closeSync(out);
    fs.rmSync(tmp, { force: true });
    throw e;
  } finally {
    for (const fd of inputs.values()) fs.closeSync(fd);
  }
  fs.closeSync(out);
  fs.renameSync(tmp, file);
  return placed;
}

export interface WriteImportOptions {
  /** Bytes of converted weights written so far, of the total. */
  onProgress?: (done: number, total: number) => void;
}

/** Writes `imported` to `outFile` (model.onnx) and returns where its weights are. */
export async function writeImportedModel(imported: ImportedModel, outFile: string, options: WriteImportOptions = {}): Promise<WrittenImport> {
  const file = path.resolve(outFile);
  const dir = path.dirname(file);
  fs.mkdirSync(dir, { recursive: true });
  const spareDir = path.join(dir, `${path.basename(file)}.weights`);
  const byName = new Map(imported.model.graph.initializers.map((t) => [t.name, t]));
  const converted = imported.weights.filter((w) => safetensorsDataType[w.source.dtype] !== w.dataType);
  const inPlace = imported.weights.filter((w) => safetensorsDataType[w.source.dtype] === w.dataType);
  const weightFiles: WrittenWeightFile[] = [];
  const locations = new Map<string, string>();
  for (const source of new Set(inPlace.map((w) => w.source.file))) {
    const placed = await placeWeightFile(source, dir, spareDir);
    locations.set(source, placed.location);
    weightFiles.push(placed);
  }
  for (const w of inPlace) byName.get(w.name)!.external = { location: locations.get(w.source.file)!, offset: w.source.offset, length: w.source.length };
  if (converted.length > 0) {
    const dataName = `${path.basename(file)}.data`;
    const placed = await writeConverted(path.join(dir, dataName), converted, options.onProgress);
    for (const w of converted) byName.get(w.name)!.external = { location: dataName, ...placed.get(w.name)! };
    weightFiles.push({ location: dataName, how: 'converted', bytes: fs.statSync(path.join(dir, dataName)).size });
  }
  const copied: string[] = [];
  if (fs.realpathSync(dir) !== fs.realpathSync(imported.folder.dir)) {
    // The shard index goes along when the shards do, for the Hugging Face export of a merged model.
    const sideFiles = converted.length === 0 && imported.folder.indexFile ? [...HF_SIDE_FILES, SAFETENSORS_INDEX_FILE] : HF_SIDE_FILES;
    for (const name of sideFiles) {
      const src = path.join(imported.folder.dir, name);
      if (!fs.existsSync(src)) continue;
      writeFileAtomic(path.join(dir, name), fs.readFileSync(src));
      copied.push(name);
    }
  }
  writeFileAtomic(file, encodeModel(imported.model));
  const parameters = imported.weights.reduce((s, w) => s + w.dims.reduce((a, b) => a * b, 1), 0);
  return { file, weightFiles, copied, parameters };
}
