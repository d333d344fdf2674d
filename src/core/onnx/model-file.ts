// Reading and writing .onnx files, with external data (weights in side files, required past 2 GiB).
// A model read from a file keeps its external tensors on disk (see external-data.ts); writing streams them
// one tensor at a time, so neither direction holds the weights in memory.
import * as fs from 'fs';
import * as path from 'path';
import { writeFileAtomic } from '../io/atomic-write';
import { checkExternalData, readTensorBytes, withExternalDataLoaded } from './external-data';
import { OnnxFormatError, decodeModel, encodeModel } from './model-codec';
import { ModelProto, TensorProto } from './types';

export interface ReadModelOptions {
  /** Read external tensor data into memory (default false: tensors keep their `external` refs). */
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
  const baseDir = path.dirname(path.resolve(file));
  for (const t of model.graph.initializers) if (t.external) t.external.baseDir = baseDir;
  checkExternalData(model, file);
  return options.loadExternalData ? withExternalDataLoaded(model, file) : model;
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

function tensorByteLength(t: TensorProto): number {
  return t.raw?.length ?? (t.external && t.external.length >= 0 ? t.external.length : readTensorBytes(t).length);
}

/** Writes the model atomically; tensors go to an external data file when asked or needed. */
export function writeModelFile(file: string, model: ModelProto, options: WriteModelOptions = {}): void {
  const mode = options.externalData ?? 'auto';
  const total = model.graph.initializers.reduce((s, t) => s + tensorByteLength(t), 0);
  const external = mode === 'always' || (mode === 'auto' && total > TWO_GIB - 64 * 2 ** 20);
  if (!external) {
    const initializers = model.graph.initializers.map((t) => (t.external ? { ...t, external: undefined, raw: readTensorBytes(t) } : t));
    writeFileAtomic(file, encodeModel({ ...model, graph: { ...model.graph, initializers } }));
    return;
  }
  const dataName = options.dataFileName ?? `${path.basename(file)}.data`;
  const threshold = options.sizeThreshold ?? 1024;
  const graph = { ...model.graph, initializers: [] as TensorProto[] };
  const placed: { tensor: TensorProto; pad: number }[] = [];
  let offset = 0;
  for (const t of model.graph.initializers) {
    const length = tensorByteLength(t);
    if (length < threshold) {
      graph.initializers.push(t.external ? { ...t, external: undefined, raw: readTensorBytes(t) } : t);
      continue;
    }
    // ONNX Runtime maps external data; 4 KiB alignment keeps every tensor page-aligned.
    const pad = (4096 - (offset % 4096)) % 4096;
    offset += pad;
    placed.push({ tensor: t, pad });
    graph.initializers.push({ ...t, raw: undefined, external: { location: dataName, offset, length } });
    offset += length;
  }
  // One tensor's bytes in memory at a time: external sources are read as the data file is written.
  function* chunks(): Generator<Uint8Array> {
    for (const { tensor, pad } of placed) {
      if (pad) yield new Uint8Array(pad);
      yield readTensorBytes(tensor);
    }
  }
  writeFileAtomic(path.join(path.dirname(file), dataName), chunks());
  writeFileAtomic(file, encodeModel({ ...model, graph }));
}
