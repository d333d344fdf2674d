// Conversions between onnxruntime-node tensors and the project's DataType enum.
import * as ort from 'onnxruntime-node';
import { halfToFloat } from '../onnx/tensor-data';
import { DataType } from '../onnx/types';

const ortTypeToDataType: Record<string, DataType> = {
  float32: DataType.FLOAT,
  float16: DataType.FLOAT16,
  bfloat16: DataType.BFLOAT16,
  float64: DataType.DOUBLE,
  int64: DataType.INT64,
  int32: DataType.INT32,
  int16: DataType.INT16,
  int8: DataType.INT8,
  uint8: DataType.UINT8,
  uint16: DataType.UINT16,
  uint32: DataType.UINT32,
  uint64: DataType.UINT64,
  bool: DataType.BOOL,
  string: DataType.STRING,
};

export function dataTypeOfOrt(type: string): DataType {
  const t = ortTypeToDataType[type];
  if (t === undefined) throw new Error(`unsupported ONNX Runtime tensor type '${type}'`);
  return t;
}

export function int64Tensor(values: ArrayLike<number>, dims: number[]): ort.Tensor {
  const data = new BigInt64Array(values.length);
  for (let i = 0; i < values.length; i++) data[i] = BigInt(values[i]);
  return new ort.Tensor('int64', data, dims);
}

/** A float tensor's values as Float32Array: float16 bits widened, float64 rounded. */
export function floatTensorValues(t: ort.Tensor): Float32Array {
  if (t.type === 'float32') return t.data as Float32Array;
  if (t.type === 'float16') return Float32Array.from(t.data as Uint16Array, halfToFloat);
  if (t.type === 'float64') return Float32Array.from(t.data as Float64Array);
  throw new Error(`expected a float tensor, got ${t.type}`);
}
