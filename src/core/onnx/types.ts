// In-memory ONNX model: plain objects mirroring onnx.proto, so the codec stays a direct mapping.
import type { RawField } from './protobuf';

export enum DataType {
  UNDEFINED = 0,
  FLOAT = 1,
  UINT8 = 2,
  INT8 = 3,
  UINT16 = 4,
  INT16 = 5,
  INT32 = 6,
  INT64 = 7,
  STRING = 8,
  BOOL = 9,
  FLOAT16 = 10,
  DOUBLE = 11,
  UINT32 = 12,
  UINT64 = 13,
  COMPLEX64 = 14,
  COMPLEX128 = 15,
  BFLOAT16 = 16,
}

/** Bytes per element of each fixed-size type (0 = not fixed-size). */
export const dataTypeSize: Record<number, number> = {
  [DataType.FLOAT]: 4,
  [DataType.UINT8]: 1,
  [DataType.INT8]: 1,
  [DataType.UINT16]: 2,
  [DataType.INT16]: 2,
  [DataType.INT32]: 4,
  [DataType.INT64]: 8,
  [DataType.BOOL]: 1,
  [DataType.FLOAT16]: 2,
  [DataType.DOUBLE]: 8,
  [DataType.UINT32]: 4,
  [DataType.UINT64]: 8,
  [DataType.COMPLEX64]: 8,
  [DataType.COMPLEX128]: 16,
  [DataType.BFLOAT16]: 2,
};

export function dataTypeName(t: DataType): string {
  return DataType[t] ?? `dtype(${t})`;
}

export interface ExternalDataRef {
  location: string;
  offset: number;
  length: number;
  checksum?: string;
  /**
   * The external_data keys in the order the file listed them (some exporters write `offset: 0`), so a read
   * tensor re-encodes to the same bytes. Absent for refs the engine makes: then offset 0 and length −1 are
   * left out, as torch's TorchScript exporter does.
   */
  keys?: readonly string[];
  /**
   * Absolute folder `location` is relative to: set when the model is read from a file, so the bytes can be
   * read on demand (readTensorBytes) and a session can map them from there. Not part of onnx.proto.
   */
  baseDir?: string;
}

export interface TensorProto {
  name: string;
  dims: number[];
  dataType: DataType;
  /** Little-endian element bytes (raw_data, or typed fields converted); absent when external or string. */
  raw?: Uint8Array;
  external?: ExternalDataRef;
  stringData?: Uint8Array[];
  docString?: string;
  unknown?: RawField[];
}

export interface Dim {
  value?: number;
  param?: string;
}

export interface ValueInfo {
  name: string;
  /** Absent when the value info has a non-tensor type (kept raw in `typeRaw`). */
  elemType?: DataType;
  /** Absent when the rank is unknown. */
  shape?: Dim[];
  typeRaw?: Uint8Array;
  docString?: string;
  unknown?: RawField[];
}

export enum AttributeType {
  UNDEFINED = 0,
  FLOAT = 1,
  INT = 2,
  STRING = 3,
  TENSOR = 4,
  GRAPH = 5,
  FLOATS = 6,
  INTS = 7,
  STRINGS = 8,
  TENSORS = 9,
  GRAPHS = 10,
  SPARSE_TENSOR = 11,
  SPARSE_TENSORS = 12,
  TYPE_PROTO = 13,
  TYPE_PROTOS = 14,
}

export interface Attribute {
  name: string;
  type: AttributeType;
  f?: number;
  i?: number;
  s?: Uint8Array;
  t?: TensorProto;
  g?: Graph;
  floats?: number[];
  ints?: number[];
  strings?: Uint8Array[];
  tensors?: TensorProto[];
  graphs?: Graph[];
  refAttrName?: string;
  docString?: string;
  unknown?: RawField[];
}

export interface NodeProto {
  name: string;
  opType: string;
  domain: string;
  inputs: string[];
  outputs: string[];
  attributes: Attribute[];
  docString?: string;
  /** metadata_props (field 9): the torch exporter's module path lives here (`pkg.torch.onnx.name_scopes`). */
  metadata?: StringEntry[];
  unknown?: RawField[];
}

export interface Graph {
  name: string;
  nodes: NodeProto[];
  initializers: TensorProto[];
  inputs: ValueInfo[];
  outputs: ValueInfo[];
  valueInfo: ValueInfo[];
  docString?: string;
  /** metadata_props (field 16). */
  metadata?: StringEntry[];
  unknown?: RawField[];
}

export interface OpsetImport {
  domain: string;
  version: number;
  /** The file wrote the default domain as an explicit '' (the dynamo exporter does): re-encoded the same way. */
  explicitDefaultDomain?: true;
}

/** A model-local function: ONNX Runtime inlines its body wherever a node calls (domain, name). */
export interface FunctionProto {
  name: string;
  domain: string;
  inputs: string[];
  outputs: string[];
  /** Names of the attributes a call may set (the body reads them through refAttrName). */
  attributes: string[];
  nodes: NodeProto[];
  opsetImports: OpsetImport[];
  docString?: string;
  unknown?: RawField[];
}

/** A protobuf StringStringEntryProto: one metadata_props entry. */
export interface StringEntry {
  key: string;
  value: string;
}

export interface ModelProto {
  irVersion: number;
  opsetImports: OpsetImport[];
  producerName?: string;
  producerVersion?: string;
  domain?: string;
  modelVersion?: number;
  docString?: string;
  graph: Graph;
  metadata: StringEntry[];
  /** Model-local functions (field 25); absent when the model has none. */
  functions?: FunctionProto[];
  unknown?: RawField[];
}
