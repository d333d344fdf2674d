// Conversions between TensorProto bytes and JS typed arrays, including float16 and bfloat16.
import { readTensorBytes } from './external-data';
import { DataType, TensorProto, dataTypeName, dataTypeSize } from './types';

export type NumericArray = Float32Array | Float64Array | Int32Array | BigInt64Array | Uint8Array;

export function elementCount(dims: readonly number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}

/** IEEE half (binary16) bits -> number. */
export function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 31) return f ? NaN : s * Infinity;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** number -> IEEE half bits, round to nearest even. */
export function floatToHalf(v: number): number {
  f32[0] = v;
  const x = u32[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 255) return sign | 0x7c00 | (mant ? 0x200 : 0);
  let e = exp - 127 + 15;
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    let r = mant >> shift;
    const rem = mant & ((1 << shift) - 1);
    if (rem > half || (rem === half && r & 1)) r++;
    return sign | r;
  }
  let r = mant >> 13;
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && r & 1)) {
    r++;
    if (r === 0x400) {
      r = 0;
      e++;
      if (e >= 31) return sign | 0x7c00;
    }
  }
  return sign | (e << 10) | r;
}

export function bfloat16ToFloat(b: number): number {
  u32[0] = b << 16;
  return f32[0];
}

export function floatToBfloat16(v: number): number {
  f32[0] = v;
  const x = u32[0];
  if ((x & 0x7fffffff) > 0x7f800000) return (x >>> 16) | 0x40;
  return ((x + 0x7fff + ((x >>> 16) & 1)) >>> 16) & 0xffff;
}

/** Any float or integer tensor as Float32Array (a copy; float16/bfloat16 are widened; external data is read). */
export function tensorToFloat32(t: TensorProto): Float32Array {
  const raw = readTensorBytes(t);
  const n = elementCount(t.dims);
  const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const out = new Float32Array(n);
  const size = dataTypeSize[t.dataType];
  if (raw.byteLength !== n * size) {
    throw new Error(`tensor '${t.name}' has ${raw.byteLength} bytes but dims [${t.dims}] of ${dataTypeName(t.dataType)} need ${n * size}`);
  }
  switch (t.dataType) {
    case DataType.FLOAT:
      for (let i = 0; i < n; i++) out[i] = dv.getFloat32(i * 4, true);
      break;
    case DataType.FLOAT16:
      for (let i = 0; i < n; i++) out[i] = halfToFloat(dv.getUint16(i * 2, true));
      break;
    case DataType.BFLOAT16:
      for (let i = 0; i < n; i++) out[i] = bfloat16ToFloat(dv.getUint16(i * 2, true));
      break;
    case DataType.DOUBLE:
      for (let i = 0; i < n; i++) out[i] = dv.getFloat64(i * 8, true);
      break;
    case DataType.INT64:
      for (let i = 0; i < n; i++) out[i] = Number(dv.getBigInt64(i * 8, true));
      break;
    case DataType.INT32:
      for (let i = 0; i < n; i++) out[i] = dv.getInt32(i * 4, true);
      break;
    case DataType.BOOL:
    case DataType.UINT8:
      for (let i = 0; i < n; i++) out[i] = dv.getUint8(i);
      break;
    case DataType.INT8:
      for (let i = 0; i < n; i++) out[i] = dv.getInt8(i);
      break;
    default:
      throw new Error(`tensor '${t.name}': cannot read ${dataTypeName(t.dataType)} as float32`);
  }
  return out;
}

/** Integer tensor values as JS numbers (shapes, axes, indices); int64, int32 and double are read exactly. */
export function tensorToNumbers(t: TensorProto): number[] {
  const raw = readTensorBytes(t);
  const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const n = elementCount(t.dims);
  const read = (get: (i: number) => number) => Array.from({ length: n }, (_, i) => get(i));
  switch (t.dataType) {
    case DataType.INT64:
      return read((i) => Number(dv.getBigInt64(i * 8, true)));
    case DataType.INT32:
      return read((i) => dv.getInt32(i * 4, true));
    case DataType.DOUBLE:
      return read((i) => dv.getFloat64(i * 8, true));
    default:
      return Array.from(tensorToFloat32(t));
  }
}

/** Encodes float values into the bytes of `dataType` (FLOAT, FLOAT16, BFLOAT16, DOUBLE). */
export function floatsToBytes(values: ArrayLike<number>, dataType: DataType): Uint8Array {
  const n = values.length;
  const size = dataTypeSize[dataType];
  const out = new Uint8Array(n * size);
  const dv = new DataView(out.buffer);
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (dataType === DataType.FLOAT) dv.setFloat32(i * 4, v, true);
    else if (dataType === DataType.DOUBLE) dv.setFloat64(i * 8, v, true);
    else if (dataType === DataType.FLOAT16) dv.setUint16(i * 2, floatToHalf(v), true);
    else if (dataType === DataType.BFLOAT16) dv.setUint16(i * 2, floatToBfloat16(v), true);
    else throw new Error(`cannot encode floats as ${dataTypeName(dataType)}`);
  }
  return out;
}

export function makeTensor(name: string, dims: number[], dataType: DataType, values: ArrayLike<number>): TensorProto {
  const n = elementCount(dims);
  if (values.length !== n) throw new Error(`tensor '${name}': ${values.length} values for dims [${dims}] (${n})`);
  let raw: Uint8Array;
  if (dataType === DataType.INT64) {
    raw = new Uint8Array(n * 8);
    const dv = new DataView(raw.buffer);
    for (let i = 0; i < n; i++) dv.setBigInt64(i * 8, BigInt(values[i]), true);
  } else if (dataType === DataType.INT32) {
    raw = new Uint8Array(new Int32Array(Array.from(values)).buffer);
  } else if (dataType === DataType.BOOL || dataType === DataType.UINT8) {
    raw = Uint8Array.from(values);
  } else if (dataType === DataType.FLOAT && values instanceof Float32Array) {
    raw = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  } else {
    raw = floatsToBytes(values, dataType);
  }
  return { name, dims: [...dims], dataType, raw };
}

export function isFloatType(t: DataType | undefined): boolean {
  return t === DataType.FLOAT || t === DataType.FLOAT16 || t === DataType.BFLOAT16 || t === DataType.DOUBLE;
}
