// safetensors dtypes <-> JS typed arrays. Half-precision floats are widened to Float32Array on read and
// narrowed (round to nearest even) on write; every other dtype keeps its own typed array, so a file read
// and written again is byte-identical.
import { DataType } from '../onnx/types';
import { bfloat16ToFloat, floatsToBytes, halfToFloat } from '../onnx/tensor-data';
import { SafetensorsWriteError } from './safetensors-errors';

export type SafetensorsDtype = 'F64' | 'F32' | 'F16' | 'BF16' | 'I64' | 'I32' | 'I8' | 'U8' | 'BOOL';

export type TensorData = Float32Array | Float64Array | BigInt64Array | Int32Array | Int8Array | Uint8Array;

/**
 * One tensor. `data` is Float32Array for F32/F16/BF16, Float64Array for F64, BigInt64Array for I64,
 * Int32Array for I32, Int8Array for I8, Uint8Array (0/1 for BOOL) for U8 and BOOL; row-major.
 */
export interface SafeTensor {
  dtype: SafetensorsDtype;
  shape: number[];
  data: TensorData;
}

export const dtypeByteSize: Record<SafetensorsDtype, number> = { F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I8: 1, U8: 1, BOOL: 1 };

export function isSafetensorsDtype(s: string): s is SafetensorsDtype {
  return Object.prototype.hasOwnProperty.call(dtypeByteSize, s);
}

/** The bytes copied into a fresh buffer: aligned for any element size, and not a view of the file (Buffer.slice would be). */
function copyBytes(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length);
  out.set(bytes);
  return out;
}

const alignedCopy = (bytes: Uint8Array): ArrayBuffer => copyBytes(bytes).buffer as ArrayBuffer;

export function bytesToTensorData(dtype: SafetensorsDtype, bytes: Uint8Array): TensorData {
  switch (dtype) {
    case 'F32':
      return new Float32Array(alignedCopy(bytes));
    case 'F64':
      return new Float64Array(alignedCopy(bytes));
    case 'I64':
      return new BigInt64Array(alignedCopy(bytes));
    case 'I32':
      return new Int32Array(alignedCopy(bytes));
    case 'I8':
      return new Int8Array(alignedCopy(bytes));
    case 'U8':
    case 'BOOL':
      return copyBytes(bytes);
    case 'F16':
    case 'BF16': {
      const widen = dtype === 'F16' ? halfToFloat : bfloat16ToFloat;
      const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      const out = new Float32Array(bytes.length / 2);
      for (let i = 0; i < out.length; i++) out[i] = widen(dv.getUint16(i * 2, true));
      return out;
    }
  }
}

const arrayTypeOf: Record<SafetensorsDtype, { ctor: Function; label: string }> = {
  F32: { ctor: Float32Array, label: 'Float32Array' },
  F16: { ctor: Float32Array, label: 'Float32Array' },
  BF16: { ctor: Float32Array, label: 'Float32Array' },
  F64: { ctor: Float64Array, label: 'Float64Array' },
  I64: { ctor: BigInt64Array, label: 'BigInt64Array' },
  I32: { ctor: Int32Array, label: 'Int32Array' },
  I8: { ctor: Int8Array, label: 'Int8Array' },
  U8: { ctor: Uint8Array, label: 'Uint8Array' },
  BOOL: { ctor: Uint8Array, label: 'Uint8Array' },
};

/** The little-endian bytes of a tensor, checking that its array type and length fit its dtype and shape. */
export function tensorDataToBytes(name: string, tensor: SafeTensor): Uint8Array {
  const { dtype, shape, data } = tensor;
  if (!isSafetensorsDtype(dtype)) throw new SafetensorsWriteError(`tensor '${name}': unknown dtype '${dtype}'`);
  const expectedType = arrayTypeOf[dtype];
  if (!(data instanceof expectedType.ctor)) {
    throw new SafetensorsWriteError(`tensor '${name}': dtype ${dtype} needs its data as a ${expectedType.label}, got ${data?.constructor?.name ?? typeof data}`);
  }
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new SafetensorsWriteError(`tensor '${name}': shape ${JSON.stringify(shape)} is not a list of non-negative integers`);
  }
  const count = shape.reduce((a, b) => a * b, 1);
  if (data.length !== count) {
    throw new SafetensorsWriteError(`tensor '${name}': shape [${shape}] has ${count} elements but the data has ${data.length}`);
  }
  if (dtype === 'F16') return floatsToBytes(data as Float32Array, DataType.FLOAT16);
  if (dtype === 'BF16') return floatsToBytes(data as Float32Array, DataType.BFLOAT16);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}
