// safetensors files: [u64 LE header length N][N bytes of JSON header, space-padded to 8][data].
// Header: {"__metadata__"?: {str: str}, name: {"dtype", "shape", "data_offsets": [begin, end]}}, offsets
// relative to the start of the data. The writer reproduces the reference (Rust) serializer byte for byte:
// tensors ordered by descending dtype alignment then name, compact JSON, __metadata__ first.
import * as fs from 'fs';
import * as os from 'os';
import { writeFileAtomic } from './atomic-write';
import {
  SafetensorsDtypeSizeError,
  SafetensorsError,
  SafetensorsHeaderJsonError,
  SafetensorsHeaderTooLargeError,
  SafetensorsOffsetError,
  SafetensorsTruncatedError,
  SafetensorsWriteError,
} from './safetensors-errors';
import { bytesToTensorData, dtypeByteSize, isSafetensorsDtype, tensorDataToBytes } from './safetensors-dtypes';
import type { SafeTensor, SafetensorsDtype } from './safetensors-dtypes';

export type { SafeTensor, SafetensorsDtype, TensorData } from './safetensors-dtypes';

if (os.endianness() !== 'LE') throw new Error('safetensors I/O assumes a little-endian machine');

/** The reference reader refuses headers above 100 MB; so do we, before allocating anything. */
export const MAX_HEADER_BYTES = 100_000_000;

export interface SafetensorsFile {
  /** In file (offset) order. */
  tensors: Map<string, SafeTensor>;
  /** `__metadata__`, or undefined when the file has none. */
  metadata?: Record<string, string>;
}

interface HeaderEntry {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  begin: number;
  end: number;
}

const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

function parseHeaderEntry(source: string, name: string, value: unknown): HeaderEntry {
  const bad = (what: string) =>
    new SafetensorsHeaderJsonError(`${source}: tensor '${name}' in the header ${what}; the file was not written by a safetensors writer, or is corrupt`);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw bad('is not an object');
  const { dtype, shape, data_offsets: offsets } = value as Record<string, unknown>;
  if (typeof dtype !== 'string') throw bad('has no "dtype" string');
  if (!isSafetensorsDtype(dtype)) {
    throw bad(`has dtype "${dtype}", which ThanoRA does not read (supported: F64 F32 F16 BF16 I64 I32 I8 U8 BOOL)`);
  }
  if (!Array.isArray(shape) || !shape.every(isCount)) throw bad(`has shape ${JSON.stringify(shape)}, not a list of non-negative integers`);
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount)) {
    throw bad(`has data_offsets ${JSON.stringify(offsets)}, not [begin, end] with non-negative integers`);
  }
  return { name, dtype, shape: shape as number[], begin: offsets[0] as number, end: offsets[1] as number };
}

function parseHeader(source: string, headerBytes: Uint8Array): { entries: HeaderEntry[]; metadata?: Record<string, string> } {
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(headerBytes));
  } catch (e) {
    throw new SafetensorsHeaderJsonError(`${source}: the header is not valid UTF-8 JSON (${(e as Error).message}); the file is corrupt or not safetensors`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    throw new SafetensorsHeaderJsonError(`${source}: the header is JSON but not an object of tensors`);
  }
  let metadata: Record<string, string> | undefined;
  const entries: HeaderEntry[] = [];
  for (const [name, value] of Object.entries(header)) {
    if (name !== '__metadata__') {
      entries.push(parseHeaderEntry(source, name, value));
      continue;
    }
    const pairs = typeof value === 'object' && value !== null && !Array.isArray(value) ? Object.entries(value) : undefined;
    const badPair = pairs?.find(([, v]) => typeof v !== 'string');
    if (!pairs || badPair) {
      throw new SafetensorsHeaderJsonError(
        `${source}: __metadata__ must map strings to strings${badPair ? `, but key '${badPair[0]}' holds ${JSON.stringify(badPair[1])}` : ''}`,
      );
    }
    metadata = Object.fromEntries(pairs) as Record<string, string>;
  }
  return { entries, metadata };
}

/** Checks offsets in file order: each tensor starts where the previous ended and holds exactly its elements. */
function checkLayout(source: string, entries: HeaderEntry[], dataLength: number): void {
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let previous: HeaderEntry | undefined;
  for (const e of entries) {
    const where = `${source}: tensor '${e.name}'`;
    if (e.end < e.begin) throw new SafetensorsOffsetError(`${where} has data_offsets [${e.begin}, ${e.end}], which run backwards`);
    const expected = e.shape.reduce((a, b) => a * b, 1) * dtypeByteSize[e.dtype];
    if (e.end - e.begin !== expected) {
      throw new SafetensorsDtypeSizeError(
        `${where} has ${e.end - e.begin} bytes, but shape [${e.shape}] of ${e.dtype} needs ${expected}; the header's dtype or shape is wrong`,
      );
    }
    const previousEnd = previous?.end ?? 0;
    if (e.begin < previousEnd) {
      throw new SafetensorsOffsetError(`${where} (bytes ${e.begin}..${e.end}) overlaps tensor '${previous!.name}' (bytes ${previous!.begin}..${previous!.end})`);
    }
    if (e.begin > previousEnd) {
      throw new SafetensorsOffsetError(`${where} starts at byte ${e.begin}, leaving a gap after byte ${previousEnd}; safetensors data must be contiguous`);
    }
    if (e.end > dataLength) {
      throw new SafetensorsTruncatedError(`${where} needs data bytes ${e.begin}..${e.end}, but the file holds only ${dataLength}; the file was cut short, copy it again`);
    }
    previous = e;
  }
  const lastEnd = previous?.end ?? 0;
  if (lastEnd !== dataLength) {
    throw new SafetensorsOffsetError(`${source}: ${dataLength - lastEnd} bytes follow the last tensor's data; the header does not describe the whole file`);
  }
}

/** Parses safetensors bytes; `source` names the file in errors. */
export function parseSafetensors(bytes: Uint8Array, source = '<buffer>'): SafetensorsFile {
  if (bytes.length < 8) throw new SafetensorsTruncatedError(`${source} has ${bytes.length} bytes, fewer than the 8-byte header length; the file is empty or cut short`);
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (headerLength > BigInt(MAX_HEADER_BYTES)) {
    throw new SafetensorsHeaderTooLargeError(`${source} declares a ${headerLength}-byte header, above the ${MAX_HEADER_BYTES}-byte limit; the file is not safetensors or is corrupt`);
  }
  const n = Number(headerLength);
  if (8 + n > bytes.length) {
    throw new SafetensorsTruncatedError(`${source} declares a ${n}-byte header but has only ${bytes.length - 8} bytes after the length; the file was cut short`);
  }
  const { entries, metadata } = parseHeader(source, bytes.subarray(8, 8 + n));
  const data = bytes.subarray(8 + n);
  checkLayout(source, entries, data.length);
  const tensors = new Map<string, SafeTensor>();
  for (const e of entries) {
    tensors.set(e.name, { dtype: e.dtype, shape: e.shape, data: bytesToTensorData(e.dtype, data.subarray(e.begin, e.end)) });
  }
  return { tensors, metadata };
}

/** Where one tensor's bytes lie in its file (absolute byte offset), without reading them. */
export interface SafetensorsEntry {
  dtype: SafetensorsDtype;
  shape: number[];
  offset: number;
  length: number;
}

export interface SafetensorsHeader {
  file: string;
  /** In file (offset) order. */
  tensors: Map<string, SafetensorsEntry>;
  metadata?: Record<string, string>;
  fileSize: number;
}

/**
 * Reads only the length prefix and the JSON header and checks the layout against the file's size, so a
 * multi-gigabyte checkpoint can be described (and referenced in place) without reading its data.
 */
export function readSafetensorsHeader(file: string): SafetensorsHeader {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (e) {
    throw new SafetensorsError(`cannot read ${file}: ${(e as Error).message}`);
  }
  try {
    const fileSize = fs.fstatSync(fd).size;
    const prefix = new Uint8Array(8);
    if (fileSize < 8 || fs.readSync(fd, prefix, 0, 8, 0) !== 8) {
      throw new SafetensorsTruncatedError(`${file} has ${fileSize} bytes, fewer than the 8-byte header length; the file is empty or cut short`);
    }
    const headerLength = new DataView(prefix.buffer).getBigUint64(0, true);
    if (headerLength > BigInt(MAX_HEADER_BYTES)) {
      throw new SafetensorsHeaderTooLargeError(`${file} declares a ${headerLength}-byte header, above the ${MAX_HEADER_BYTES}-byte limit; the file is not safetensors or is corrupt`);
    }
    const n = Number(headerLength);
    if (8 + n > fileSize) {
      throw new SafetensorsTruncatedError(`${file} declares a ${n}-byte header but has only ${fileSize - 8} bytes after the length; the file was cut short`);
    }
    const headerBytes = new Uint8Array(n);
    fs.readSync(fd, headerBytes, 0, n, 8);
    const { entries, metadata } = parseHeader(file, headerBytes);
    checkLayout(file, entries, fileSize - 8 - n);
    const tensors = new Map<string, SafetensorsEntry>();
    for (const e of entries) tensors.set(e.name, { dtype: e.dtype, shape: e.shape, offset: 8 + n + e.begin, length: e.end - e.begin });
    return { file, tensors, metadata, fileSize };
  } finally {
    fs.closeSync(fd);
  }
}

export function readSafetensors(file: string): SafetensorsFile {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (e) {
    throw new SafetensorsError(`cannot read ${file}: ${(e as Error).message}`);
  }
  return parseSafetensors(bytes, file);
}

const dtypeAlignmentRank: Record<SafetensorsDtype, number> = { BOOL: 0, U8: 1, I8: 2, F16: 7, BF16: 8, I32: 9, F32: 11, F64: 12, I64: 13 };

function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

function headerChunks(fields: string[]): Uint8Array[] {
  const json = Buffer.from(`{${fields.join(',')}}`, 'utf8');
  const padded = Buffer.alloc(Math.ceil(json.length / 8) * 8, 0x20);
  json.copy(padded);
  const length = new Uint8Array(8);
  new DataView(length.buffer).setBigUint64(0, BigInt(padded.length), true);
  return [length, padded];
}

function metadataField(metadata: Readonly<Record<string, string>>): string {
  for (const [key, value] of Object.entries(metadata)) {
    if (typeof value !== 'string') throw new SafetensorsWriteError(`metadata '${key}' must be a string, got ${typeof value}`);
  }
  return `"__metadata__":${JSON.stringify(metadata)}`;
}

/**
 * Serializes tensors as the chunks of a safetensors file (8-byte length, padded header, data).
 * Metadata is written when given, in its key order, even when empty.
 */
export function encodeSafetensors(
  tensors: ReadonlyMap<string, SafeTensor> | Readonly<Record<string, SafeTensor>>,
  metadata?: Readonly<Record<string, string>>,
): Uint8Array[] {
  const list = [...(tensors instanceof Map ? tensors.entries() : Object.entries(tensors))] as [string, SafeTensor][];
  // Descending alignment keeps every tensor aligned to its element size within the data.
  list.sort(([na, a], [nb, b]) => dtypeAlignmentRank[b.dtype] - dtypeAlignmentRank[a.dtype] || byteOrder(na, nb));
  // Built by hand: a JS object would move integer-like names ("0", "1") to the front.
  const fields: string[] = metadata ? [metadataField(metadata)] : [];
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const [name, tensor] of list) {
    if (name === '__metadata__') throw new SafetensorsWriteError(`'__metadata__' is reserved and cannot name a tensor`);
    const bytes = tensorDataToBytes(name, tensor);
    const entry = { dtype: tensor.dtype, shape: tensor.shape, data_offsets: [offset, offset + bytes.length] };
    fields.push(`${JSON.stringify(name)}:${JSON.stringify(entry)}`);
    chunks.push(bytes);
    offset += bytes.length;
  }
  return [...headerChunks(fields), ...chunks];
}

/** A tensor written by streamSafetensors: its bytes are produced only when they are written. */
export interface StreamedTensor {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  /** Little-endian bytes, exactly prod(shape) elements of dtype. */
  bytes(): Uint8Array;
}

/**
 * Writes a safetensors file (temp name, then renamed) holding one tensor's bytes in memory at a time, in the
 * reference serializer's order, so a model-sized file never needs the model in memory.
 */
export function streamSafetensors(file: string, tensors: readonly StreamedTensor[], metadata?: Readonly<Record<string, string>>): void {
  const list = [...tensors].sort((a, b) => dtypeAlignmentRank[b.dtype] - dtypeAlignmentRank[a.dtype] || byteOrder(a.name, b.name));
  const fields: string[] = metadata ? [metadataField(metadata)] : [];
  let offset = 0;
  for (const t of list) {
    const length = t.shape.reduce((a, b) => a * b, 1) * dtypeByteSize[t.dtype];
    fields.push(`${JSON.stringify(t.name)}:${JSON.stringify({ dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + length] })}`);
    offset += length;
  }
  function* chunks(): Generator<Uint8Array> {
    yield* headerChunks(fields);
    for (const t of list) {
      const bytes = t.bytes();
      const length = t.shape.reduce((a, b) => a * b, 1) * dtypeByteSize[t.dtype];
      if (bytes.length !== length) throw new SafetensorsWriteError(`tensor '${t.name}': ${bytes.length} bytes for shape [${t.shape}] of ${t.dtype} (${length})`);
      yield bytes;
    }
  }
  writeFileAtomic(file, chunks());
}

/** Writes a safetensors file atomically (temp file + rename). */
export function writeSafetensors(
  file: string,
  tensors: ReadonlyMap<string, SafeTensor> | Readonly<Record<string, SafeTensor>>,
  metadata?: Readonly<Record<string, string>>,
): void {
  writeFileAtomic(file, encodeSafetensors(tensors, metadata));
}
