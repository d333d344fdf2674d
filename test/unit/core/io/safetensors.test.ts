import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  SafeTensor,
  encodeSafetensors,
  parseSafetensors,
  readSafetensors,
  readSafetensorsHeader,
  streamSafetensors,
  writeSafetensors,
} from '../../../../src/core/io/safetensors';
import {
  SafetensorsDtypeSizeError,
  SafetensorsError,
  SafetensorsHeaderJsonError,
  SafetensorsHeaderTooLargeError,
  SafetensorsOffsetError,
  SafetensorsTruncatedError,
  SafetensorsWriteError,
} from '../../../../src/core/io/safetensors-errors';
import { tensorDataToBytes } from '../../../../src/core/io/safetensors-dtypes';

const fixturesDir = path.join(__dirname, '../../../../../test/fixtures');
const concat = (chunks: Uint8Array[]) => Buffer.concat(chunks);

/** A file with a hand-written header (padded to 8 bytes) followed by `data`. */
function craft(header: string, data: Uint8Array = new Uint8Array(0)): Uint8Array {
  const json = Buffer.from(header);
  const padded = Buffer.alloc(Math.ceil(json.length / 8) * 8, 0x20);
  json.copy(padded);
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(padded.length));
  return Buffer.concat([length, padded, data]);
}

function throwsNamed(fn: () => unknown, errorClass: Function, ...fragments: string[]): void {
  assert.throws(fn, (e: Error) => {
    assert.ok(e instanceof errorClass, `expected ${errorClass.name}, got ${e.name}: ${e.message}`);
    for (const f of fragments) assert.ok(e.message.includes(f), `message lacks '${f}': ${e.message}`);
    return true;
  });
}

describe('safetensors', () => {
  describe('fixtures written by PyTorch tooling', () => {
    const files = fs
      .readdirSync(fixturesDir)
      .flatMap((d) => fs.readdirSync(path.join(fixturesDir, d)).filter((f) => f.endsWith('.safetensors')).map((f) => path.join(fixturesDir, d, f)));

    it('finds the fixture files', () => assert.ok(files.length >= 10, `found ${files.length}`));

    for (const file of files) {
      it(`reads and re-writes ${path.relative(fixturesDir, file)} byte-identically`, () => {
        const original = fs.readFileSync(file);
        const parsed = readSafetensors(file);
        assert.ok(parsed.tensors.size > 0);
        for (const [name, t] of parsed.tensors) {
          assert.strictEqual(t.dtype, 'F32', name);
          assert.ok(t.data instanceof Float32Array);
          assert.strictEqual(t.data.length, t.shape.reduce((a, b) => a * b, 1));
        }
        assert.ok(concat(encodeSafetensors(parsed.tensors, parsed.metadata)).equals(original));
      });
    }

    it('decodes values at the offsets the header gives', () => {
      const file = path.join(fixturesDir, 'tiny-llama/adapter.safetensors');
      const bytes = fs.readFileSync(file);
      const headerLength = Number(bytes.readBigUInt64LE(0));
      const header = JSON.parse(bytes.subarray(8, 8 + headerLength).toString());
      const name = 'base_model.model.model.layers.0.mlp.down_proj.lora_B.weight';
      const [begin] = header[name].data_offsets;
      const t = readSafetensors(file).tensors.get(name)!;
      assert.deepStrictEqual(t.shape, [64, 4]);
      // Exact: both sides read the same float32 bits.
      assert.strictEqual(t.data[0], bytes.readFloatLE(8 + headerLength + begin));
      assert.strictEqual(t.data[t.data.length - 1], bytes.readFloatLE(8 + headerLength + begin + (t.data.length - 1) * 4));
    });
  });

  describe('header-only reader', () => {
    it('gives each tensor the absolute file offset of its bytes, matching the full reader', () => {
      const file = path.join(fixturesDir, 'tiny-llama/adapter.safetensors');
      const bytes = fs.readFileSync(file);
      const header = readSafetensorsHeader(file);
      const full = readSafetensors(file);
      assert.strictEqual(header.fileSize, bytes.length);
      assert.deepStrictEqual([...header.tensors.keys()].sort(), [...full.tensors.keys()].sort());
      for (const [name, entry] of header.tensors) {
        const t = full.tensors.get(name)!;
        assert.deepStrictEqual(entry.shape, t.shape);
        assert.strictEqual(entry.length, t.data.length * 4);
        // Exact: the same float32 bits at the offset the header reader gives.
        assert.strictEqual(bytes.readFloatLE(entry.offset), t.data[0], name);
        assert.strictEqual(bytes.readFloatLE(entry.offset + entry.length - 4), t.data[t.data.length - 1], name);
      }
    });

    it('checks the layout against the file size: a cut file names the file and the tensor', () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'st-'));
      const file = path.join(dir, 'model.safetensors');
      const good = craft('{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F16","shape":[3],"data_offsets":[8,14]}}', Buffer.alloc(14));
      fs.writeFileSync(file, good.subarray(0, good.length - 2));
      throwsNamed(() => readSafetensorsHeader(file), SafetensorsTruncatedError, file, "'b'");
      fs.writeFileSync(file, good.subarray(0, 5));
      throwsNamed(() => readSafetensorsHeader(file), SafetensorsTruncatedError, file);
      throwsNamed(() => readSafetensorsHeader(path.join(dir, 'missing.safetensors')), SafetensorsError, 'missing.safetensors');
      fs.rmSync(dir, { recursive: true });
    });
  });

  describe('writer layout (the reference serializer)', () => {
    it('writes one F32 tensor with an unpadded 64-byte header', () => {
      const out = concat(encodeSafetensors({ 'attn.0': { dtype: 'F32', shape: [1, 2, 3], data: Float32Array.from([0, 1, 2, 3, 4, 5]) } }));
      const header = '{"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}}';
      assert.strictEqual(header.length, 64);
      assert.strictEqual(out.readBigUInt64LE(0), 64n);
      assert.strictEqual(out.subarray(8, 72).toString(), header);
      assert.deepStrictEqual(Array.from(new Float32Array(out.buffer.slice(out.byteOffset + 72, out.byteOffset + 96))), [0, 1, 2, 3, 4, 5]);
      assert.strictEqual(out.length, 96);
    });

    it('pads the header with spaces to a multiple of 8', () => {
      const out = concat(encodeSafetensors({ attn0: { dtype: 'F32', shape: [1, 1, 2, 3], data: new Float32Array(6) } }));
      const header = '{"attn0":{"dtype":"F32","shape":[1,1,2,3],"data_offsets":[0,24]}}';
      assert.strictEqual(header.length, 65);
      assert.strictEqual(out.readBigUInt64LE(0), 72n);
      assert.strictEqual(out.subarray(8, 80).toString(), header + ' '.repeat(7));
    });

    it('writes an empty file as {} and metadata first', () => {
      assert.ok(concat(encodeSafetensors({})).equals(Buffer.from([8, 0, 0, 0, 0, 0, 0, 0, ...Buffer.from('{}      ')])));
      const withMeta = concat(encodeSafetensors({}, { framework: 'pt' }));
      assert.strictEqual(withMeta.subarray(8).toString(), '{"__metadata__":{"framework":"pt"}}     ');
      const t = { dtype: 'U8' as const, shape: [1], data: Uint8Array.from([7]) };
      const both = parseSafetensors(concat(encodeSafetensors({ z: t }, { format: 'pt', note: 'a "quoted" \\ value' })));
      assert.deepStrictEqual(both.metadata, { format: 'pt', note: 'a "quoted" \\ value' });
    });

    it('orders tensors by descending dtype alignment, then name, keeping each aligned', () => {
      const tensors: Record<string, SafeTensor> = {
        b_bool: { dtype: 'BOOL', shape: [3], data: Uint8Array.from([1, 0, 1]) },
        a_u8: { dtype: 'U8', shape: [1], data: Uint8Array.from([255]) },
        c_f16: { dtype: 'F16', shape: [1], data: Float32Array.from([1]) },
        b_f32: { dtype: 'F32', shape: [1], data: Float32Array.from([2]) },
        a_f32: { dtype: 'F32', shape: [1], data: Float32Array.from([3]) },
        z_i64: { dtype: 'I64', shape: [1], data: BigInt64Array.from([5n]) },
        '10': { dtype: 'F64', shape: [1], data: Float64Array.from([1]) },
        '9': { dtype: 'F64', shape: [1], data: Float64Array.from([2]) },
      };
      const bytes = concat(encodeSafetensors(tensors));
      const headerLength = Number(bytes.readBigUInt64LE(0));
      const header = JSON.parse(bytes.subarray(8, 8 + headerLength).toString());
      const names = Object.keys(header);
      const offsetOrder = [...names].sort((a, b) => header[a].data_offsets[0] - header[b].data_offsets[0]);
      assert.deepStrictEqual(offsetOrder, ['z_i64', '10', '9', 'a_f32', 'b_f32', 'c_f16', 'a_u8', 'b_bool']);
      // The raw header text keeps that order too (a JS object would have moved '10' and '9' first).
      const text = bytes.subarray(8, 8 + headerLength).toString();
      assert.ok(text.indexOf('"z_i64"') < text.indexOf('"10"') && text.indexOf('"10"') < text.indexOf('"9"'));
      for (const name of names) {
        const size = { I64: 8, F64: 8, F32: 4, F16: 2, U8: 1, BOOL: 1 }[header[name].dtype as string]!;
        assert.strictEqual(header[name].data_offsets[0] % size, 0, name);
      }
    });
  });

  describe('dtypes', () => {
    it('round-trips every dtype exactly', () => {
      const tensors: Record<string, SafeTensor> = {
        f64: { dtype: 'F64', shape: [2], data: Float64Array.from([Math.PI, -1e300]) },
        f32: { dtype: 'F32', shape: [2, 1], data: Float32Array.from([0.1, -3.5]) },
        i64: { dtype: 'I64', shape: [3], data: BigInt64Array.from([2n ** 40n + 1n, -3n, -(2n ** 63n)]) },
        i32: { dtype: 'I32', shape: [2], data: Int32Array.from([-(2 ** 31), 2 ** 31 - 1]) },
        i8: { dtype: 'I8', shape: [2], data: Int8Array.from([-128, 127]) },
        u8: { dtype: 'U8', shape: [2], data: Uint8Array.from([0, 255]) },
        bool: { dtype: 'BOOL', shape: [2], data: Uint8Array.from([1, 0]) },
        scalar: { dtype: 'F32', shape: [], data: Float32Array.from([42]) },
        empty: { dtype: 'F32', shape: [0, 3], data: new Float32Array(0) },
      };
      const back = parseSafetensors(concat(encodeSafetensors(tensors))).tensors;
      for (const [name, t] of Object.entries(tensors)) {
        const got = back.get(name)!;
        assert.strictEqual(got.dtype, t.dtype, name);
        assert.deepStrictEqual(got.shape, t.shape, name);
        assert.strictEqual(got.data.constructor, t.data.constructor, name);
        assert.deepStrictEqual(Array.from(got.data as ArrayLike<unknown>), Array.from(t.data as ArrayLike<unknown>), name);
      }
    });

    it('widens F16 and BF16 to float32 and narrows them back, rounding to nearest', () => {
      // Hand-derived: 1/3 is 0x3555 in binary16 (0.333251953125) and 0x3EAB in bfloat16 (0.333984375).
      const third = Float32Array.from([1 / 3, 1, -2, 65504]);
      const bytes = concat(encodeSafetensors({ h: { dtype: 'F16', shape: [4], data: third }, b: { dtype: 'BF16', shape: [1], data: third.subarray(0, 1) } }));
      const back = parseSafetensors(bytes).tensors;
      assert.deepStrictEqual(Array.from(back.get('h')!.data as Float32Array), [0.333251953125, 1, -2, 65504]);
      assert.deepStrictEqual(Array.from(back.get('b')!.data as Float32Array), [0.333984375]);
      const headerLength = Number(bytes.readBigUInt64LE(0));
      // BF16 sorts after F16 in alignment rank (BF16 > F16), so 'b' comes first.
      assert.strictEqual(bytes.readUInt16LE(8 + headerLength), 0x3eab);
      assert.strictEqual(bytes.readUInt16LE(8 + headerLength + 2), 0x3555);
      // Re-encoding the widened values reproduces the same bytes.
      assert.ok(concat(encodeSafetensors(back)).equals(bytes));
    });
  });

  describe('reader errors', () => {
    const f32 = (n: number) => Buffer.from(new Float32Array(n).buffer);

    it('header too large', () => {
      const bytes = Buffer.alloc(16);
      bytes.writeBigUInt64LE(2n ** 40n);
      throwsNamed(() => parseSafetensors(bytes, 'huge.safetensors'), SafetensorsHeaderTooLargeError, 'huge.safetensors');
    });

    it('truncated: shorter than the length prefix, inside the header, inside the data', () => {
      throwsNamed(() => parseSafetensors(Buffer.from([1, 2, 3]), 'tiny.safetensors'), SafetensorsTruncatedError, 'tiny.safetensors');
      const good = craft('{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}', f32(2));
      throwsNamed(() => parseSafetensors(good.subarray(0, 20), 'cut.safetensors'), SafetensorsTruncatedError, 'cut.safetensors');
      throwsNamed(() => parseSafetensors(good.subarray(0, good.length - 3), 'cut.safetensors'), SafetensorsTruncatedError, 'cut.safetensors', "'w'");
    });

    it('a missing file is a SafetensorsError naming it', () => {
      throwsNamed(() => readSafetensors('/nonexistent/adapter.safetensors'), SafetensorsError, '/nonexistent/adapter.safetensors');
    });

    it('truncated fixture file names the file and the cut tensor', () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'st-'));
      const file = path.join(dir, 'adapter.safetensors');
      const original = fs.readFileSync(path.join(fixturesDir, 'tiny-gpt2/adapter.safetensors'));
      fs.writeFileSync(file, original.subarray(0, original.length - 100));
      const last = [...readSafetensors(path.join(fixturesDir, 'tiny-gpt2/adapter.safetensors')).tensors.keys()].pop()!;
      throwsNamed(() => readSafetensors(file), SafetensorsTruncatedError, file, last);
      fs.rmSync(dir, { recursive: true });
    });

    it('bad JSON, bad UTF-8, unsupported dtype, malformed entries and metadata', () => {
      throwsNamed(() => parseSafetensors(craft('{"w": {'), 'a.safetensors'), SafetensorsHeaderJsonError, 'a.safetensors');
      const badUtf8 = craft('{"w":1}');
      badUtf8[10] = 0xff;
      throwsNamed(() => parseSafetensors(badUtf8, 'b.safetensors'), SafetensorsHeaderJsonError, 'b.safetensors', 'UTF-8');
      throwsNamed(() => parseSafetensors(craft('[1,2]'), 'c.safetensors'), SafetensorsHeaderJsonError, 'c.safetensors');
      throwsNamed(
        () => parseSafetensors(craft('{"q":{"dtype":"F8_E4M3","shape":[1],"data_offsets":[0,1]}}', Buffer.alloc(1)), 'd.safetensors'),
        SafetensorsHeaderJsonError,
        'd.safetensors',
        "'q'",
        'F8_E4M3',
      );
      throwsNamed(() => parseSafetensors(craft('{"q":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}', f32(1)), 'e'), SafetensorsHeaderJsonError, "'q'", 'shape');
      throwsNamed(() => parseSafetensors(craft('{"q":{"dtype":"F32","shape":[1],"data_offsets":[0]}}', f32(1)), 'e'), SafetensorsHeaderJsonError, "'q'", 'data_offsets');
      throwsNamed(() => parseSafetensors(craft('{"__metadata__":{"k":1}}'), 'm.safetensors'), SafetensorsHeaderJsonError, 'm.safetensors', "'k'");
    });

    it('offsets: backwards, overlapping, gap, trailing bytes', () => {
      throwsNamed(
        () => parseSafetensors(craft('{"w":{"dtype":"F32","shape":[0],"data_offsets":[8,4]}}', f32(2)), 'r.safetensors'),
        SafetensorsOffsetError,
        'r.safetensors',
        "'w'",
        'backwards',
      );
      const overlap = '{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}';
      throwsNamed(() => parseSafetensors(craft(overlap, f32(3)), 'o.safetensors'), SafetensorsOffsetError, 'o.safetensors', "'b'", "'a'", 'overlaps');
      const gap = '{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}';
      throwsNamed(() => parseSafetensors(craft(gap, f32(3)), 'g.safetensors'), SafetensorsOffsetError, 'g.safetensors', "'b'", 'gap');
      const trailing = craft('{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}', f32(2));
      throwsNamed(() => parseSafetensors(trailing, 't.safetensors'), SafetensorsOffsetError, 't.safetensors', '4 bytes follow');
    });

    it('dtype-size mismatch names the tensor and both sizes', () => {
      throwsNamed(
        () => parseSafetensors(craft('{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}', f32(2)), 's.safetensors'),
        SafetensorsDtypeSizeError,
        's.safetensors',
        "'w'",
        '8 bytes',
        'needs 12',
      );
    });
  });

  describe('writer', () => {
    it('rejects data that does not fit its dtype or shape', () => {
      throwsNamed(() => encodeSafetensors({ w: { dtype: 'F32', shape: [2], data: Float64Array.from([1, 2]) } }), SafetensorsWriteError, "'w'", 'Float32Array');
      throwsNamed(() => encodeSafetensors({ w: { dtype: 'I64', shape: [2], data: Int32Array.from([1, 2]) } }), SafetensorsWriteError, "'w'", 'BigInt64Array');
      throwsNamed(() => encodeSafetensors({ w: { dtype: 'F32', shape: [3], data: new Float32Array(2) } }), SafetensorsWriteError, "'w'", '3 elements');
      throwsNamed(() => encodeSafetensors({}, { step: 3 as unknown as string }), SafetensorsWriteError, "'step'");
    });

    it('streams tensors one at a time into the same bytes the in-memory writer produces', () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'st-'));
      const tensors = new Map<string, SafeTensor>([
        ['b.weight', { dtype: 'F16', shape: [3], data: new Float32Array([1, -2, 0.5]) }],
        ['a.weight', { dtype: 'F32', shape: [2, 2], data: new Float32Array([1, 2, 3, 4]) }],
        ['10', { dtype: 'I64', shape: [1], data: new BigInt64Array([7n]) }],
      ]);
      const file = path.join(dir, 'streamed.safetensors');
      let produced = 0;
      const streamed = [...tensors].map(([name, t]) => ({ name, dtype: t.dtype, shape: t.shape, bytes: () => (produced++, tensorDataToBytes(name, t)) }));
      streamSafetensors(file, streamed, { format: 'pt' });
      assert.strictEqual(produced, 3);
      assert.ok(fs.readFileSync(file).equals(concat(encodeSafetensors(tensors, { format: 'pt' }))));
      assert.throws(() => streamSafetensors(file, [{ name: 'x', dtype: 'F32', shape: [2], bytes: () => new Uint8Array(4) }]), SafetensorsWriteError);
      fs.rmSync(dir, { recursive: true });
    });

    it('writes atomically and reads back', () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'st-'));
      const file = path.join(dir, 'sub', 'out.safetensors');
      const data = Float32Array.from({ length: 300 }, (_, i) => Math.sin(i));
      writeSafetensors(file, new Map([['w', { dtype: 'F32' as const, shape: [30, 10], data }]]), { format: 'pt' });
      assert.deepStrictEqual(fs.readdirSync(path.dirname(file)), ['out.safetensors']);
      const back = readSafetensors(file);
      assert.deepStrictEqual(back.metadata, { format: 'pt' });
      assert.deepStrictEqual(Array.from(back.tensors.get('w')!.data as Float32Array), Array.from(data));
      fs.rmSync(dir, { recursive: true });
    });
  });
});
