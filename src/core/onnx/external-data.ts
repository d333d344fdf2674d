// Tensor data kept in side files (ONNX external data). A model read from disk keeps its weights there: the
// bytes are read on demand, one tensor at a time, and ONNX Runtime maps the same files into memory, so a
// 0.5B model's 2 GB of weights are never copied into the JS heap.
import * as fs from 'fs';
import * as path from 'path';
import { OnnxFormatError } from './model-codec';
import { ModelProto, TensorProto, dataTypeSize } from './types';

/** The absolute path of an external tensor's data file, refusing locations outside the model's folder. */
export function externalDataFile(t: TensorProto, source = 'model'): string {
  const ext = t.external;
  if (!ext) throw new OnnxFormatError(`${source}: tensor '${t.name}' has no external data`);
  if (!ext.baseDir) {
    throw new OnnxFormatError(`${source}: tensor '${t.name}' keeps its data in '${ext.location}', but the model was not read from a file, so there is no folder to find it in`);
  }
  const file = path.resolve(ext.baseDir, ext.location);
  if (path.relative(ext.baseDir, file).startsWith('..') || path.isAbsolute(ext.location)) {
    throw new OnnxFormatError(`${source}: tensor '${t.name}' points outside the model folder (${ext.location}); keep the data files next to the model`);
  }
  return file;
}

/**
 * Checks every external tensor against its data file (present, long enough) without reading the data, so a
 * model copied without its side files fails when it is opened, naming the tensor and the file.
 */
export function checkExternalData(model: ModelProto, source = 'model'): void {
  const sizes = new Map<string, number>();
  for (const t of model.graph.initializers) {
    if (!t.external) continue;
    const file = externalDataFile(t, source);
    let size = sizes.get(file);
    if (size === undefined) {
      try {
        size = fs.statSync(file).size;
      } catch {
        throw new OnnxFormatError(
          `${source}: tensor '${t.name}' keeps its data in '${t.external.location}', which is missing next to the model. Copy the model together with its data files.`,
        );
      }
      sizes.set(file, size);
    }
    const length = t.external.length >= 0 ? t.external.length : size - t.external.offset;
    const expected = t.dims.reduce((a, b) => a * b, 1) * (dataTypeSize[t.dataType] ?? 0);
    if (t.external.offset + length > size) {
      throw new OnnxFormatError(
        `${source}: tensor '${t.name}' needs bytes ${t.external.offset}..${t.external.offset + length} of '${t.external.location}', which has ${size}; the data file is cut short — copy it again`,
      );
    }
    if (expected > 0 && length !== expected) {
      throw new OnnxFormatError(`${source}: tensor '${t.name}' [${t.dims}] needs ${expected} bytes but its external data in '${t.external.location}' has ${length}`);
    }
  }
}

function readExternal(t: TensorProto, source: string): Uint8Array {
  const file = externalDataFile(t, source);
  const ext = t.external!;
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    throw new OnnxFormatError(
      `${source}: tensor '${t.name}' keeps its data in '${ext.location}', which is missing next to the model (${ext.baseDir}). Copy the model together with its data files.`,
    );
  }
  try {
    const size = fs.fstatSync(fd).size;
    const length = ext.length >= 0 ? ext.length : size - ext.offset;
    if (ext.offset + length > size) {
      throw new OnnxFormatError(`${source}: tensor '${t.name}' needs bytes ${ext.offset}..${ext.offset + length} of '${ext.location}', which has ${size}; the data file is cut short`);
    }
    const raw = new Uint8Array(length);
    for (let done = 0; done < length; ) {
      const n = fs.readSync(fd, raw, done, length - done, ext.offset + done);
      if (n === 0) throw new OnnxFormatError(`${source}: '${ext.location}' ended while reading tensor '${t.name}'`);
      done += n;
    }
    return raw;
  } finally {
    fs.closeSync(fd);
  }
}

/** The tensor's little-endian bytes, from memory or read from its external data file (not cached). */
export function readTensorBytes(t: TensorProto, source = 'model'): Uint8Array {
  if (t.raw) return t.raw;
  if (t.external) return readExternal(t, source);
  throw new OnnxFormatError(`${source}: tensor '${t.name}' has no data`);
}

/** The folders the model's external tensors live in (usually one: the model's own). */
export function externalDataDirs(model: ModelProto): Set<string> {
  const dirs = new Set<string>();
  for (const t of model.graph.initializers) if (t.external?.baseDir) dirs.add(t.external.baseDir);
  return dirs;
}

/** Bytes of the tensors held in memory (what an inline protobuf of the model would carry). */
export function inlineTensorBytes(model: ModelProto): number {
  return model.graph.initializers.reduce((sum, t) => sum + (t.raw?.length ?? 0), 0);
}

/** Bytes of every initializer, in memory or on disk (the weights a session maps). */
export function allTensorBytes(model: ModelProto): number {
  return model.graph.initializers.reduce((sum, t) => sum + (t.raw?.length ?? t.dims.reduce((a, b) => a * b, 1) * (dataTypeSize[t.dataType] ?? 0)), 0);
}

/** A copy of the model with every external tensor read into memory (small models that must be self-contained). */
export function withExternalDataLoaded(model: ModelProto, source = 'model'): ModelProto {
  const initializers = model.graph.initializers.map((t) => {
    if (!t.external) return t;
    const { external: _external, ...rest } = t;
    return { ...rest, raw: readExternal(t, source) };
  });
  return { ...model, graph: { ...model.graph, initializers } };
}
