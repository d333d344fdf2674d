// Minimal safetensors reader for tests (float32 tensors only): 8-byte little-endian header length, a JSON
// header {name: {dtype, shape, data_offsets}}, then the data. The project's full reader lives in src/core/io.
import * as fs from 'fs';

export interface LiteTensor {
  shape: number[];
  data: Float32Array;
}

export function readSafetensorsLite(file: string): Map<string, LiteTensor> {
  const bytes = fs.readFileSync(file);
  const headerLength = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + headerLength).toString('utf8')) as Record<
    string,
    { dtype: string; shape: number[]; data_offsets: [number, number] }
  >;
  const dataStart = 8 + headerLength;
  const tensors = new Map<string, LiteTensor>();
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    if (entry.dtype !== 'F32') throw new Error(`${file}: tensor '${name}' is ${entry.dtype}; this test reader handles F32 only`);
    const [begin, end] = entry.data_offsets;
    // Copy into an aligned buffer: the data section need not start on a 4-byte boundary.
    const copy = new Uint8Array(end - begin);
    copy.set(bytes.subarray(dataStart + begin, dataStart + end));
    tensors.set(name, { shape: entry.shape, data: new Float32Array(copy.buffer) });
  }
  return tensors;
}
