// Writes the merged model without holding two copies of the weights: the base file's bytes are read once,
// each adapted initializer is changed in place inside them (the lengths do not change), and those same bytes
// are written out, so the merged file is the base file with only the weights' bytes differing. External data
// files are copied by the OS and then patched tensor by tensor through pread/pwrite. The base files are only
// read; every output is written under a temp name and renamed, data files before the model that points at them.
import * as fs from 'fs';
import * as path from 'path';
import { writeAll, writeFileAtomic } from '../io/atomic-write';
import { describeFileError } from '../io/file-errors';
import { tempName } from '../io/temp-names';
import { decodeModel, encodeModel } from '../onnx/model-codec';
import { checkModelSupport } from '../onnx/runtime-support';
import { ModelProto, TensorProto } from '../onnx/types';
import { MergeInputError, MergeMismatchError, MergeOutputError } from './merge-errors';

export interface BaseModel {
  file: string;
  /** The file's bytes; initializers with inline data are views into them. */
  buffer: Uint8Array;
  /** Decoded graph; external tensors keep their `external` refs (their data is not loaded). */
  model: ModelProto;
  hasExternalData: boolean;
}

export function openBaseModel(file: string): BaseModel {
  if (!fs.existsSync(file)) throw new MergeInputError(`base model ${file} does not exist; pass the ONNX model the adapter was trained on`);
  const buffer = fs.readFileSync(file);
  const model = decodeModel(buffer, file);
  checkModelSupport(model, file);
  return { file, buffer, model, hasExternalData: model.graph.initializers.some((t) => t.external) };
}

/** Changes a weight's bytes in place (same length). */
export type WeightPatcher = (bytes: Uint8Array, tensor: TensorProto) => void;

export interface WrittenModel {
  file: string;
  /** External data files written beside it (absolute paths). */
  dataFiles: string[];
  /** True when the model proto had to be re-encoded (weights stored in typed fields, not raw_data). */
  reencoded: boolean;
}

function externalLength(t: TensorProto, fileSize: number): number {
  return t.external!.length >= 0 ? t.external!.length : fileSize - t.external!.offset;
}

function sameFile(a: string, b: string): boolean {
  if (path.resolve(a) === path.resolve(b)) return true;
  try {
    return fs.realpathSync(a) === fs.realpathSync(b);
  } catch {
    return false;
  }
}

// Copies one external data file to a temp name beside its destination and patches the adapted tensors in it.
function copyAndPatchDataFile(src: string, tmp: string, dst: string, tensors: readonly TensorProto[], patches: ReadonlyMap<string, WeightPatcher>): void {
  try {
    fs.copyFileSync(src, tmp);
  } catch (e) {
    throw describeFileError(e, dst, 'write', fs.statSync(src).size);
  }
  const fd = fs.openSync(tmp, 'r+');
  const size = fs.fstatSync(fd).size;
  try {
    for (const t of tensors) {
      const patch = patches.get(t.name);
      if (!patch) continue;
      const length = externalLength(t, size);
      if (t.external!.offset + length > size) {
        throw new MergeInputError(`tensor '${t.name}' needs bytes ${t.external!.offset}..${t.external!.offset + length} of ${src}, which has ${size}; the data file is cut short`);
      }
      const bytes = new Uint8Array(length);
      fs.readSync(fd, bytes, 0, length, t.external!.offset);
      patch(bytes, t);
      writeAll(fd, bytes, t.external!.offset);
    }
    fs.fsyncSync(fd);
  } catch (e) {
    throw describeFileError(e, dst, 'write', size);
  } finally {
    fs.closeSync(fd);
  }
}

function writeExternalData(base: BaseModel, outFile: string, patches: ReadonlyMap<string, WeightPatcher>): string[] {
  const baseDir = path.dirname(base.file);
  const outDir = path.dirname(outFile);
  const byLocation = new Map<string, TensorProto[]>();
  for (const t of base.model.graph.initializers) {
    if (!t.external) continue;
    const list = byLocation.get(t.external.location) ?? [];
    list.push(t);
    byLocation.set(t.external.location, list);
  }
  const staged: { tmp: string; dst: string }[] = [];
  try {
    for (const [location, tensors] of byLocation) {
      const src = path.resolve(baseDir, location);
      const dst = path.resolve(outDir, location);
      if (path.relative(baseDir, src).startsWith('..') || path.relative(outDir, dst).startsWith('..')) {
        throw new MergeInputError(`${base.file}: tensor '${tensors[0].name}' keeps its data in '${location}', outside the model's folder; move the data next to the model`);
      }
      if (!fs.existsSync(src)) throw new MergeInputError(`${base.file}: external data file '${location}' is missing next to the model; copy the model together with its data files`);
      if (sameFile(src, dst)) {
        throw new MergeOutputError(`the merged model's data file ${dst} would overwrite the base model's; choose an output folder other than ${baseDir}`);
      }
      fs.mkdirSync(path.dirname(dst), { recursive: true });
      const tmp = tempName(dst);
      staged.push({ tmp, dst });
      copyAndPatchDataFile(src, tmp, dst, tensors, patches);
    }
    for (const { tmp, dst } of staged) fs.renameSync(tmp, dst);
  } catch (e) {
    for (const { tmp } of staged) fs.rmSync(tmp, { force: true });
    throw e;
  }
  return staged.map((s) => s.dst);
}

/**
 * Applies `patches` (initializer name → in-place change) to the base model and writes the result to `outFile`.
 * The `base` is consumed: its buffer holds the merged weights afterwards.
 */
export function writeMergedModel(base: BaseModel, outFile: string, patches: ReadonlyMap<string, WeightPatcher>): WrittenModel {
  if (sameFile(base.file, outFile)) throw new MergeOutputError(`the merged model would overwrite the base model ${base.file}; choose another output folder`);
  const byName = new Map(base.model.graph.initializers.map((t) => [t.name, t]));
  const missing = [...patches.keys()].filter((n) => !byName.has(n));
  if (missing.length > 0) {
    throw new MergeMismatchError(`${base.file} has no initializer ${missing.map((n) => `'${n}'`).join(', ')}; the adapter was made for another export of the model`);
  }
  let reencoded = false;
  for (const [name, patch] of patches) {
    const t = byName.get(name)!;
    if (t.external) continue;
    if (!t.raw) throw new MergeMismatchError(`${base.file}: initializer '${name}' has no data to merge into`);
    patch(t.raw, t);
    if (t.raw.buffer !== base.buffer.buffer) reencoded = true;
  }
  const dataFiles = base.hasExternalData ? writeExternalData(base, outFile, patches) : [];
  writeFileAtomic(outFile, reencoded ? encodeModel(base.model) : base.buffer);
  return { file: outFile, dataFiles, reencoded };
}
