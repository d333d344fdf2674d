// Float32 tensors of a safetensors file, for tests that compare against fixture values: a thin view over
// the project's reader (src/core/io/safetensors.ts) that refuses anything but F32.
import { readSafetensors } from '../../src/core/io/safetensors';

export interface LiteTensor {
  shape: number[];
  data: Float32Array;
}

export function readSafetensorsLite(file: string): Map<string, LiteTensor> {
  const tensors = new Map<string, LiteTensor>();
  for (const [name, t] of readSafetensors(file).tensors) {
    if (t.dtype !== 'F32' || !(t.data instanceof Float32Array)) throw new Error(`${file}: tensor '${name}' is ${t.dtype}; expected F32`);
    tensors.set(name, { shape: t.shape, data: t.data });
  }
  return tensors;
}
