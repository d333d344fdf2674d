// ModelProto <-> bytes, following onnx.proto field numbers. Typed tensor fields (float_data, int64_data, …)
// are normalised into little-endian raw bytes on read; on write every numeric tensor uses raw_data.
import { ProtoReader, ProtoWriter, ProtobufError, RawField, decodeUtf8 } from './protobuf';
import {
  ExternalDataRef,
  Attribute,
  AttributeType,
  DataType,
  Dim,
  FunctionProto,
  Graph,
  ModelProto,
  NodeProto,
  StringEntry,
  OpsetImport,
  TensorProto,
  ValueInfo,
  dataTypeSize,
} from './types';

export class OnnxFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OnnxFormatError';
  }
}

function keepUnknown(list: RawField[] | undefined, field: number, wireType: number, r: ProtoReader): RawField[] {
  const out = list ?? [];
  out.push({ field, wireType, bytes: r.skip(wireType) });
  return out;
}

function readStringEntry(r: ProtoReader): StringEntry {
  let key = '';
  let value = '';
  while (!r.done) {
    const { field, wireType } = r.tag();
    if (field === 1) key = r.string();
    else if (field === 2) value = r.string();
    else r.skip(wireType);
  }
  return { key, value };
}

function typedToRaw(dataType: DataType, values: number[], kind: 'f32' | 'i32' | 'i64' | 'f64' | 'u64'): Uint8Array {
  const size = dataTypeSize[dataType] ?? 0;
  const out = new Uint8Array(values.length * (kind === 'f32' || kind === 'f64' ? (kind === 'f32' ? 4 : 8) : size));
  const dv = new DataView(out.buffer);
  values.forEach((v, i) => {
    if (kind === 'f32') dv.setFloat32(i * 4, v, true);
    else if (kind === 'f64') dv.setFloat64(i * 8, v, true);
    else if (kind === 'i64' || kind === 'u64') {
      if (size === 8) dv.setBigInt64(i * 8, BigInt(v), true);
      else dv.setUint32(i * 4, v >>> 0, true);
    } else {
      // int32_data carries every type of 4 bytes or less, including float16/bfloat16 bit patterns.
      if (size === 4) dv.setInt32(i * 4, v, true);
      else if (size === 2) dv.setUint16(i * 2, v & 0xffff, true);
      else dv.setUint8(i, v & 0xff);
    }
  });
  return out;
}

export function decodeTensor(r: ProtoReader): TensorProto {
  const t: TensorProto = { name: '', dims: [], dataType: DataType.UNDEFINED };
  const typed: { values: number[]; kind: 'f32' | 'i32' | 'i64' | 'f64' | 'u64' } = { values: [], kind: 'f32' };
  let location = 0;
  const ext: Record<string, string> = {};
  while (!r.done) {
    const { field, wireType } = r.tag();
    switch (field) {
      case 1:
        r.packedVarints(wireType, t.dims);
        break;
      case 2:
        t.dataType = r.int32();
        break;
      case 4:
        typed.kind = 'f32';
        r.packedFloats(wireType, typed.values);
        break;
      case 5:
        typed.kind = 'i32';
        r.packedVarints(wireType, typed.values);
        break;
      case 6:
        (t.stringData ??= []).push(r.bytes());
        break;
      case 7:
        typed.kind = 'i64';
        r.packedVarints(wireType, typed.values);
        break;
      case 8:
        t.name = r.string();
        break;
      case 9:
        t.raw = r.bytes();
        break;
      case 10:
        typed.kind = 'f64';
        r.packedDoubles(wireType, typed.values);
        break;
      case 11:
        typed.kind = 'u64';
        r.packedVarints(wireType, typed.values);
        break;
      case 12:
        t.docString = r.string();
        break;
      case 13: {
        const e = readStringEntry(r.sub());
        ext[e.key] = e.value;
        break;
      }
      case 14:
        location = r.int32();
        break;
      default:
        t.unknown = keepUnknown(t.unknown, field, wireType, r);
    }
  }
  if (typed.values.length && !t.raw) t.raw = typedToRaw(t.dataType, typed.values, typed.kind);
  if (location === 1) {
    if (!ext.location) throw new OnnxFormatError(`tensor '${t.name}' is marked external but has no location`);
    t.external = {
      location: ext.location,
      offset: Number(ext.offset ?? 0),
      length: ext.length !== undefined ? Number(ext.length) : -1,
      checksum: ext.checksum,
      keys: Object.keys(ext),
    };
  }
  if (!t.raw && !t.external && !t.stringData && t.dataType !== DataType.STRING) {
    const count = t.dims.reduce((a, b) => a * b, 1);
    if (count !== 0) t.raw = new Uint8Array(0);
  }
  return t;
}

function decodeDim(r: ProtoReader): Dim {
  const d: Dim = {};
  while (!r.done) {
    const { field, wireType } = r.tag();
    if (field === 1) d.value = r.int64();
    else if (field === 2) d.param = r.string();
    else r.skip(wireType);
  }
  return d;
}

function decodeValueInfo(r: ProtoReader): ValueInfo {
  const v: ValueInfo = { name: '' };
  while (!r.done) {
    const { field, wireType } = r.tag();
    if (field === 1) v.name = r.string();
    else if (field === 2) {
      const typeBytes = r.sub();
      const start = typeBytes.pos;
      let isTensor = false;
      let denotation = false;
      while (!typeBytes.done) {
        const tt = typeBytes.tag();
        if (tt.field === 1) {
          isTensor = true;
          const tr = typeBytes.sub();
          while (!tr.done) {
            const f = tr.tag();
            if (f.field === 1) v.elemType = tr.int32();
            else if (f.field === 2) {
              v.shape = [];
              const sr = tr.sub();
              while (!sr.done) {
                const sf = sr.tag();
                if (sf.field === 1) v.shape.push(decodeDim(sr.sub()));
                else sr.skip(sf.wireType);
              }
            } else tr.skip(f.wireType);
          }
        } else {
          denotation = true;
          typeBytes.skip(tt.wireType);
        }
      }
      if (!isTensor || denotation) v.typeRaw = typeBytes.buf.subarray(start, typeBytes.end);
    } else if (field === 3) v.docString = r.string();
    else v.unknown = keepUnknown(v.unknown, field, wireType, r);
  }
  return v;
}

function decodeAttribute(r: ProtoReader): Attribute {
  const a: Attribute = { name: '', type: AttributeType.UNDEFINED };
  while (!r.done) {
    const { field, wireType } = r.tag();
    switch (field) {
      case 1:
        a.name = r.string();
        break;
      case 2:
        a.f = r.float32();
        break;
      case 3:
        a.i = r.int64();
        break;
      case 4:
        a.s = r.bytes();
        break;
      case 5:
        a.t = decodeTensor(r.sub());
        break;
      case 6:
        a.g = decodeGraph(r.sub());
        break;
      case 7:
        r.packedFloats(wireType, (a.floats ??= []));
        break;
      case 8:
        r.packedVarints(wireType, (a.ints ??= []));
        break;
      case 9:
        (a.strings ??= []).push(r.bytes());
        break;
      case 10:
        (a.tensors ??= []).push(decodeTensor(r.sub()));
        break;
      case 11:
        (a.graphs ??= []).push(decodeGraph(r.sub()));
        break;
      case 13:
        a.docString = r.string();
        break;
      case 20:
        a.type = r.int32();
        break;
      case 21:
        a.refAttrName = r.string();
        break;
      default:
        a.unknown = keepUnknown(a.unknown, field, wireType, r);
    }
  }
  return a;
}

function decodeNode(r: ProtoReader): NodeProto {
  const n: NodeProto = { name: '', opType: '', domain: '', inputs: [], outputs: [], attributes: [] };
  while (!r.done) {
    const { field, wireType } = r.tag();
    switch (field) {
      case 1:
        n.inputs.push(r.string());
        break;
      case 2:
        n.outputs.push(r.string());
        break;
      case 3:
        n.name = r.string();
        break;
      case 4:
        n.opType = r.string();
        break;
      case 5:
        n.attributes.push(decodeAttribute(r.sub()));
        break;
      case 6:
        n.docString = r.string();
        break;
      case 7:
        n.domain = r.string();
        break;
      case 9:
        (n.metadata ??= []).push(readStringEntry(r.sub()));
        break;
      default:
        n.unknown = keepUnknown(n.unknown, field, wireType, r);
    }
  }
  return n;
}

export function decodeGraph(r: ProtoReader): Graph {
  const g: Graph = { name: '', nodes: [], initializers: [], inputs: [], outputs: [], valueInfo: [] };
  while (!r.done) {
    const { field, wireType } = r.tag();
    switch (field) {
      case 1:
        g.nodes.push(decodeNode(r.sub()));
        break;
      case 2:
        g.name = r.string();
        break;
      case 5:
        g.initializers.push(decodeTensor(r.sub()));
        break;
      case 10:
        g.docString = r.string();
        break;
      case 11:
        g.inputs.push(decodeValueInfo(r.sub()));
        break;
      case 12:
        g.outputs.push(decodeValueInfo(r.sub()));
        break;
      case 13:
        g.valueInfo.push(decodeValueInfo(r.sub()));
        break;
      case 16:
        (g.metadata ??= []).push(readStringEntry(r.sub()));
        break;
      default:
        g.unknown = keepUnknown(g.unknown, field, wireType, r);
    }
  }
  return g;
}

function decodeOpset(s: ProtoReader): OpsetImport {
  const op: OpsetImport = { domain: '', version: 0 };
  while (!s.done) {
    const t = s.tag();
    if (t.field === 1) {
      op.domain = s.string();
      if (op.domain === '') op.explicitDefaultDomain = true;
    }
    else if (t.field === 2) op.version = s.int64();
    else s.skip(t.wireType);
  }
  return op;
}

function encodeOpset(op: OpsetImport): ProtoWriter {
  const w = op.explicitDefaultDomain && op.domain === '' ? new ProtoWriter().stringAlways(1, '') : new ProtoWriter().stringField(1, op.domain);
  w.tag(2, 0).varint(op.version);
  return w;
}

function decodeFunction(r: ProtoReader): FunctionProto {
  const f: FunctionProto = { name: '', domain: '', inputs: [], outputs: [], attributes: [], nodes: [], opsetImports: [] };
  while (!r.done) {
    const { field, wireType } = r.tag();
    if (field === 1) f.name = r.string();
    else if (field === 4) f.inputs.push(r.string());
    else if (field === 5) f.outputs.push(r.string());
    else if (field === 6) f.attributes.push(r.string());
    else if (field === 7) f.nodes.push(decodeNode(r.sub()));
    else if (field === 8) f.docString = r.string();
    else if (field === 9) f.opsetImports.push(decodeOpset(r.sub()));
    else if (field === 10) f.domain = r.string();
    else f.unknown = keepUnknown(f.unknown, field, wireType, r);
  }
  return f;
}

function encodeFunction(f: FunctionProto): ProtoWriter {
  const w = new ProtoWriter().stringField(1, f.name);
  for (const i of f.inputs) w.stringAlways(4, i);
  for (const o of f.outputs) w.stringAlways(5, o);
  for (const a of f.attributes) w.stringAlways(6, a);
  for (const n of f.nodes) w.message(7, encodeNode(n));
  w.stringField(8, f.docString);
  for (const op of f.opsetImports) w.message(9, encodeOpset(op));
  w.stringField(10, f.domain);
  return w.unknown(f.unknown);
}

/** Decodes a serialized ModelProto. `source` names the file in errors. */
export function decodeModel(buf: Uint8Array, source = '<buffer>'): ModelProto {
  const m: ModelProto = {
    irVersion: 0,
    opsetImports: [],
    graph: { name: '', nodes: [], initializers: [], inputs: [], outputs: [], valueInfo: [] },
    metadata: [],
  };
  let sawGraph = false;
  try {
    const r = new ProtoReader(buf);
    while (!r.done) {
      const { field, wireType } = r.tag();
      switch (field) {
        case 1:
          m.irVersion = r.int64();
          break;
        case 2:
          m.producerName = r.string();
          break;
        case 3:
          m.producerVersion = r.string();
          break;
        case 4:
          m.domain = r.string();
          break;
        case 5:
          m.modelVersion = r.int64();
          break;
        case 6:
          m.docString = r.string();
          break;
        case 7:
          m.graph = decodeGraph(r.sub());
          sawGraph = true;
          break;
        case 8:
          m.opsetImports.push(decodeOpset(r.sub()));
          break;
        case 14:
          m.metadata.push(readStringEntry(r.sub()));
          break;
        case 25:
          (m.functions ??= []).push(decodeFunction(r.sub()));
          break;
        default:
          m.unknown = keepUnknown(m.unknown, field, wireType, r);
      }
    }
  } catch (e) {
    if (e instanceof ProtobufError) {
      throw new OnnxFormatError(
        `${source} is not a valid ONNX model (truncated or corrupt): ${e.message}. Re-export the model, or check that the file was copied completely.`,
      );
    }
    throw e;
  }
  if (!sawGraph || m.irVersion <= 0 || !m.opsetImports.length) {
    throw new OnnxFormatError(
      `${source} is not an ONNX model: ${!sawGraph ? 'no graph' : m.irVersion <= 0 ? 'no ir_version' : 'no opset_import'} found. Export it with torch.onnx.export or optimum-cli export onnx.`,
    );
  }
  return m;
}

// The external_data key/value list: the keys the file had, in its order, then any others by default: location,
// offset unless 0, length unless unknown (−1: "to the end of the file"), as the TorchScript exporter writes them.
function externalDataEntries(e: ExternalDataRef): [string, string][] {
  const values: Record<string, string | undefined> = {
    location: e.location,
    offset: e.keys || e.offset > 0 ? String(e.offset) : undefined,
    length: e.length >= 0 ? String(e.length) : undefined,
    checksum: e.checksum,
  };
  const keys = [...new Set([...(e.keys ?? []), 'location', 'offset', 'length', 'checksum'])];
  return keys.filter((k) => values[k] !== undefined).map((k) => [k, values[k]!]);
}

export function encodeTensor(t: TensorProto): ProtoWriter {
  const w = new ProtoWriter();
  // dims, AttributeProto.floats and .ints are proto2 repeated fields without [packed=true] in onnx.proto:
  // written one tag per value, as onnx and torch write them, so a decoded file re-encodes to the same bytes.
  w.repeatedVarints(1, t.dims);
  w.varintField(2, t.dataType);
  for (const s of t.stringData ?? []) w.bytesField(6, s);
  w.stringField(8, t.name);
  if (t.raw && !t.external) w.bytesField(9, t.raw);
  w.stringField(12, t.docString);
  if (t.external) {
    for (const [key, value] of externalDataEntries(t.external)) w.message(13, new ProtoWriter().stringField(1, key).stringField(2, value));
    w.varintField(14, 1);
  }
  return w.unknown(t.unknown);
}

function encodeValueInfo(v: ValueInfo): ProtoWriter {
  const w = new ProtoWriter().stringField(1, v.name);
  if (v.typeRaw) w.bytesField(2, v.typeRaw);
  else if (v.elemType !== undefined) {
    const tensor = new ProtoWriter().varintField(1, v.elemType);
    if (v.shape) {
      const shape = new ProtoWriter();
      for (const d of v.shape) {
        const dw = new ProtoWriter();
        if (d.value !== undefined) dw.tag(1, 0).varint(d.value);
        else if (d.param !== undefined) dw.stringField(2, d.param);
        shape.message(1, dw);
      }
      tensor.message(2, shape);
    }
    w.message(2, new ProtoWriter().message(1, tensor));
  }
  w.stringField(3, v.docString);
  return w.unknown(v.unknown);
}

function encodeAttribute(a: Attribute): ProtoWriter {
  const w = new ProtoWriter().stringField(1, a.name);
  if (a.f !== undefined) w.floatField(2, a.f);
  if (a.i !== undefined) w.tag(3, 0).varint(a.i);
  if (a.s !== undefined) w.bytesField(4, a.s);
  if (a.t) w.message(5, encodeTensor(a.t));
  if (a.g) w.message(6, encodeGraph(a.g));
  if (a.floats) w.repeatedFloats(7, a.floats);
  if (a.ints) w.repeatedVarints(8, a.ints);
  for (const s of a.strings ?? []) w.bytesField(9, s);
  for (const t of a.tensors ?? []) w.message(10, encodeTensor(t));
  for (const g of a.graphs ?? []) w.message(11, encodeGraph(g));
  w.stringField(13, a.docString);
  w.varintField(20, a.type);
  w.stringField(21, a.refAttrName);
  return w.unknown(a.unknown);
}

function encodeNode(n: NodeProto): ProtoWriter {
  const w = new ProtoWriter();
  for (const i of n.inputs) w.stringAlways(1, i);
  for (const o of n.outputs) w.stringAlways(2, o);
  w.stringField(3, n.name).stringField(4, n.opType);
  for (const a of n.attributes) w.message(5, encodeAttribute(a));
  w.stringField(6, n.docString).stringField(7, n.domain);
  return writeMetadataInFieldOrder(w, 9, n.metadata, n.unknown);
}

export function encodeGraph(g: Graph): ProtoWriter {
  const w = new ProtoWriter();
  for (const n of g.nodes) w.message(1, encodeNode(n));
  w.stringField(2, g.name);
  for (const t of g.initializers) w.message(5, encodeTensor(t));
  w.stringField(10, g.docString);
  for (const v of g.inputs) w.message(11, encodeValueInfo(v));
  for (const v of g.outputs) w.message(12, encodeValueInfo(v));
  for (const v of g.valueInfo) w.message(13, encodeValueInfo(v));
  return writeMetadataInFieldOrder(w, 16, g.metadata, g.unknown);
}

/** Writes metadata_props at its field number among the kept unknown fields, so a decoded model re-encodes to
 *  the same bytes (exporters write fields in field order). */
function writeMetadataInFieldOrder(
  w: ProtoWriter,
  field: number,
  metadata: readonly StringEntry[] | undefined,
  unknown: readonly RawField[] | undefined,
): ProtoWriter {
  w.unknown(unknown?.filter((f) => f.field < field));
  for (const e of metadata ?? []) w.message(field, encodeStringEntry(e));
  return w.unknown(unknown?.filter((f) => f.field > field));
}

function encodeStringEntry(e: StringEntry): ProtoWriter {
  return new ProtoWriter().stringField(1, e.key).stringField(2, e.value);
}

/** Serializes a model. Throws when the result would exceed protobuf's 2 GiB limit (use external data). */
export function encodeModel(m: ModelProto): Uint8Array {
  const w = new ProtoWriter();
  w.tag(1, 0).varint(m.irVersion);
  w.stringField(2, m.producerName).stringField(3, m.producerVersion).stringField(4, m.domain);
  w.varintField(5, m.modelVersion).stringField(6, m.docString);
  w.message(7, encodeGraph(m.graph));
  for (const op of m.opsetImports) w.message(8, encodeOpset(op));
  for (const e of m.metadata) w.message(14, encodeStringEntry(e));
  for (const f of m.functions ?? []) w.message(25, encodeFunction(f));
  w.unknown(m.unknown);
  if (w.length >= 2 ** 31) {
    throw new OnnxFormatError(
      `the model is ${(w.length / 2 ** 30).toFixed(2)} GiB, over protobuf's 2 GiB limit: save it with external data`,
    );
  }
  return w.finish();
}

export function attributeString(a: Attribute): string | undefined {
  return a.s ? decodeUtf8(a.s) : undefined;
}
