// Reading and writing .onnx files, with external data (weights in side files, required past 2 GiB).
import * as fs from 'fs';
import * as path from 'path';
import { writeFileAtomic } from '../io/atomic-write';
import { OnnxFormatError, decodeModel, encodeModel } from './model-codec';
import { ModelProto, TensorProto } from './types';

export interface ReadModelOptions {
  /** Load external tensor data into memory (default true). When false, tensors keep their `external` refs. */
  loadExternalData?: boolean;
}

export function readModelFile(file: string, options: ReadModelOptions = {}): ModelProto {
  let buf: Buffer;
  try {
    buf = fs.readFileSync(file);
  } catch (e) {
    throw new OnnxFormatError(`cannot read model ${file}: ${(e as Error).message}`);
  }
  const model = decodeModel(buf, file);
  if (options.loadExternalData ?? true) loadExternalData(model, path.dirname(file), file);
  return model;
}

/** Replaces `external` refs by their bytes, read from files relative to `baseDir`. */
export function loadExternalData(model: ModelProto, baseDir: string, source = 'model'): void {
  const handles = new Map<string, number>();
  try {
    for (const t of model.graph.initializers) {
      if (!t.external) continue;
      const loc = t.external.location;
      const file = path.resolve(baseDir, loc);
      if (path.relative(baseDir, file).startsWith('..')) {
        throw new OnnxFormatError(`${source}: tensor '${t.name}' points outside the model folder (${loc})`);
      }
      let fd = handles.get(file);
      if (fd === undefined) {
        try {
          fd = fs.openSync(file, 'r');
        } catch {
          throw new OnnxFormatError(
            `${source}: tensor '${t.name}' keeps its data in '${loc}', which is missing next to the model. Copy the model together with its data files.`,
          );
        }
        handles.set(file, fd);
      }
      const size = fs.fstatSync(fd).size;
      const length = t.external.length >= 0 ? t.external.length : size - t.external.offset;
      if (t.external.offset + length > size) {
        throw new OnnxFormatError(`${source}: tensor '${t.name}' needs bytes ${t.external.offset}..${t.external.offset + length} of '${loc}', which has ${size}`);
      }
      const raw = new Uint8Array(length);
      fs.readSync(fd, raw, 0, length, t.external.offset);
      t.raw = raw;
      delete t.external;
    }
  } finally {
    for (const fd of handles.values()) fs.closeSync(fd);
  }
}

export interface WriteModelOptions {
  /** 'auto' (default): external when the model would pass 2 GiB; 'always'; 'never'. */
  externalData?: 'auto' | 'always' | 'never';
  /** Side file name, relative to the model file (default `<model>.data`). */
  dataFileName?: string;
  /** Only tensors of at least this many bytes go external (default 1024). */
  sizeThreshold?: number;
}

const TWO_GIB = 2 ** 31;

function initializerBytes(model: ModelProto): number {
  return model.graph.initializers.reduce((s, t) => s + (t.raw?.length ?? 0), 0);
}

/** Writes the model atomically; tensors go to an external data file when asked or needed. */
export function writeModelFile(file: string, model: ModelProto, options: WriteModelOptions = {}): void {
  const mode = options.externalData ?? 'auto';
  const external = mode === 'always' || (mode === 'auto' && initializerBytes(model) > TWO_GIB - 64 * 2 ** 20);
  if (!external) {
    writeFileAtomic(file, encodeModel(model));
    return;
  }
  const dataName = options.dataFileName ?? `${path.basename(file)}.data`;
  const threshold = options.sizeThreshold ?? 1024;
  const chunks: Uint8Array[] = [];
  let offset = 0;
  const graph = { ...model.graph, initializers: [] as TensorProto[] };
  for (const t of model.graph.initializers) {
    if (!t.raw || t.raw.length < threshold) {
      graph.initializers.push(t);
      continue;
    }
    // ONNX Runtime maps external data; 4 KiB alignment keeps every tensor page-aligned.
    const pad = (4096 - (offset % 4096)) % 4096;
    if (pad) chunks.push(new Uint8Array(pad));
    offset += pad;
    chunks.push(t.raw);
    graph.initializers.push({ ...t, raw: undefined, external: { location: dataName, offset, length: t.raw.length } });
    offset += t.raw.length;
  }
  writeFileAtomic(path.join(path.dirname(file), dataName), chunks);
  writeFileAtomic(file, encodeModel({ ...model, graph }));
}
