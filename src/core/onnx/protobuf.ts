// Minimal protobuf wire-format reader and writer: just what onnx.proto needs.
// Wire types: 0 varint, 1 fixed64, 2 length-delimited, 5 fixed32. Unknown fields are kept as raw
// slices so a model read and written again loses nothing we do not model.

export class ProtobufError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtobufError';
  }
}

export interface RawField {
  field: number;
  wireType: number;
  bytes: Uint8Array; // the encoded value, without its tag
}

export class ProtoReader {
  pos: number;
  constructor(readonly buf: Uint8Array, start = 0, readonly end = buf.length) {
    this.pos = start;
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  /** Varint as a JS number (int64 semantics: 10-byte varints are negative two's complement). */
  varint(): number {
    // Fast path: up to 7 bytes (49 bits) stays exact in a double.
    let result = 0;
    let shift = 1;
    const start = this.pos;
    for (let i = 0; i < 7; i++) {
      if (this.pos >= this.end) throw new ProtobufError(`truncated varint at byte ${this.pos}`);
      const b = this.buf[this.pos++];
      result += (b & 0x7f) * shift;
      if (b < 0x80) return result;
      shift *= 128;
    }
    this.pos = start;
    let value = 0n;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new ProtobufError(`truncated varint at byte ${this.pos}`);
      const b = this.buf[this.pos++];
      value |= BigInt(b & 0x7f) << BigInt(7 * i);
      if (b < 0x80) return Number(BigInt.asIntN(64, value));
    }
    throw new ProtobufError(`malformed varint at byte ${this.pos}`);
  }

  /** Signed int64 varint. */
  int64(): number {
    return this.varint();
  }

  int32(): number {
    return this.varint() | 0;
  }

  tag(): { field: number; wireType: number } {
    const t = this.varint();
    return { field: Math.floor(t / 8), wireType: t & 7 };
  }

  bytes(): Uint8Array {
    const len = this.varint();
    if (len < 0 || this.pos + len > this.end) {
      throw new ProtobufError(`length ${len} at byte ${this.pos} runs past the end of the message (${this.end})`);
    }
    const out = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }

  string(): string {
    return utf8.decode(this.bytes());
  }

  float32(): number {
    if (this.pos + 4 > this.end) throw new ProtobufError(`truncated float at byte ${this.pos}`);
    const v = new DataView(this.buf.buffer, this.buf.byteOffset + this.pos, 4).getFloat32(0, true);
    this.pos += 4;
    return v;
  }

  float64(): number {
    if (this.pos + 8 > this.end) throw new ProtobufError(`truncated double at byte ${this.pos}`);
    const v = new DataView(this.buf.buffer, this.buf.byteOffset + this.pos, 8).getFloat64(0, true);
    this.pos += 8;
    return v;
  }

  /** Reads a sub-message as a new reader over the same buffer. */
  sub(): ProtoReader {
    const b = this.bytes();
    return new ProtoReader(this.buf, b.byteOffset - this.buf.byteOffset, b.byteOffset - this.buf.byteOffset + b.length);
  }

  /** Skips a field, returning its raw encoded value. */
  skip(wireType: number): Uint8Array {
    const start = this.pos;
    switch (wireType) {
      case 0:
        this.varint();
        break;
      case 1:
        this.pos += 8;
        break;
      case 2: {
        const len = this.varint();
        this.pos += len;
        break;
      }
      case 5:
        this.pos += 4;
        break;
      default:
        throw new ProtobufError(`unsupported wire type ${wireType} at byte ${start}`);
    }
    if (this.pos > this.end) throw new ProtobufError(`field at byte ${start} runs past the end of the message`);
    return this.buf.subarray(start, this.pos);
  }

  /** Packed or unpacked repeated varints. */
  packedVarints(wireType: number, into: number[]): void {
    if (wireType === 2) {
      const r = this.sub();
      while (!r.done) into.push(r.int64());
    } else {
      into.push(this.int64());
    }
  }

  packedDoubles(wireType: number, into: number[]): void {
    if (wireType === 2) {
      const r = this.sub();
      while (!r.done) into.push(r.float64());
    } else {
      into.push(this.float64());
    }
  }

  packedFloats(wireType: number, into: number[]): void {
    if (wireType === 2) {
      const r = this.sub();
      while (!r.done) into.push(r.float32());
    } else {
      into.push(this.float32());
    }
  }
}

const utf8 = new TextDecoder('utf-8');
const utf8enc = new TextEncoder();

export function decodeUtf8(b: Uint8Array): string {
  return utf8.decode(b);
}

/** Writer that builds a list of chunks; large byte payloads are referenced, not copied, until finish(). */
export class ProtoWriter {
  private chunks: Uint8Array[] = [];
  private scratch: number[] = [];
  private size = 0;

  get length(): number {
    return this.size + this.scratch.length;
  }

  private flushScratch(): void {
    if (this.scratch.length) {
      this.chunks.push(Uint8Array.from(this.scratch));
      this.size += this.scratch.length;
      this.scratch = [];
    }
  }

  varint(v: number): this {
    if (v < 0) {
      // int64 two's complement: 10 bytes.
      let big = BigInt.asUintN(64, BigInt(Math.trunc(v)));
      for (let i = 0; i < 9; i++) {
        this.scratch.push(Number(big & 0x7fn) | 0x80);
        big >>= 7n;
      }
      this.scratch.push(Number(big));
      return this;
    }
    let n = Math.trunc(v);
    while (n >= 0x80) {
      this.scratch.push((n % 128) | 0x80);
      n = Math.floor(n / 128);
    }
    this.scratch.push(n);
    return this;
  }

  tag(field: number, wireType: number): this {
    return this.varint(field * 8 + wireType);
  }

  rawBytes(b: Uint8Array): this {
    if (b.length < 64) {
      for (let i = 0; i < b.length; i++) this.scratch.push(b[i]);
    } else {
      this.flushScratch();
      this.chunks.push(b);
      this.size += b.length;
    }
    return this;
  }

  bytesField(field: number, b: Uint8Array): this {
    this.tag(field, 2).varint(b.length);
    return this.rawBytes(b);
  }

  stringField(field: number, s: string | undefined): this {
    if (s === undefined || s === '') return this;
    return this.bytesField(field, utf8enc.encode(s));
  }

  /** Always writes, even when empty (for repeated strings). */
  stringAlways(field: number, s: string): this {
    return this.bytesField(field, utf8enc.encode(s));
  }

  varintField(field: number, v: number | undefined): this {
    if (v === undefined || v === 0) return this;
    return this.tag(field, 0).varint(v);
  }

  floatField(field: number, v: number): this {
    this.tag(field, 5);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, v, true);
    return this.rawBytes(b);
  }

  packedVarints(field: number, vs: readonly number[]): this {
    if (!vs.length) return this;
    const inner = new ProtoWriter();
    for (const v of vs) inner.varint(v);
    return this.bytesField(field, inner.finish());
  }

  /** Unpacked repeated varints (one tag per value), as onnx.proto's proto2 fields without [packed=true] are written. */
  repeatedVarints(field: number, vs: readonly number[]): this {
    for (const v of vs) this.tag(field, 0).varint(v);
    return this;
  }

  /** Unpacked repeated floats (one tag per value). */
  repeatedFloats(field: number, vs: readonly number[]): this {
    for (const v of vs) this.floatField(field, v);
    return this;
  }

  packedFloats(field: number, vs: readonly number[]): this {
    if (!vs.length) return this;
    const b = new Uint8Array(vs.length * 4);
    const dv = new DataView(b.buffer);
    vs.forEach((v, i) => dv.setFloat32(i * 4, v, true));
    return this.bytesField(field, b);
  }

  message(field: number, inner: ProtoWriter): this {
    const body = inner.parts();
    this.tag(field, 2).varint(body.size);
    this.flushScratch();
    for (const c of body.chunks) this.chunks.push(c);
    this.size += body.size;
    return this;
  }

  unknown(fields: readonly RawField[] | undefined): this {
    for (const f of fields ?? []) {
      this.tag(f.field, f.wireType);
      this.rawBytes(f.bytes);
    }
    return this;
  }

  parts(): { chunks: Uint8Array[]; size: number } {
    this.flushScratch();
    return { chunks: this.chunks, size: this.size };
  }

  finish(): Uint8Array {
    const { chunks, size } = this.parts();
    if (chunks.length === 1) return chunks[0];
    const out = new Uint8Array(size);
    let off = 0;
    for (const c of chunks) {
      out.set(c, off);
      off += c.length;
    }
    return out;
  }
}
