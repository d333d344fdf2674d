import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { OnnxFormatError, decodeModel, encodeModel } from '../../../../src/core/onnx/model-codec';
import { readModelFile } from '../../../../src/core/onnx/model-file';
import { ProtoWriter } from '../../../../src/core/onnx/protobuf';
import { assertSameOutputs, fixtureFeeds, fixtureNames, fixturesDir, runModel } from './codec-helpers';

function throwsFormat(fn: () => unknown, ...fragments: string[]): void {
  assert.throws(fn, (e: Error) => {
    assert.ok(e instanceof OnnxFormatError, `expected OnnxFormatError, got ${e.name}: ${e.message}`);
    for (const f of fragments) assert.ok(e.message.includes(f), `message lacks '${f}': ${e.message}`);
    return true;
  });
}

describe('ONNX model codec', () => {
  it('finds the fixture models', () => assert.ok(fixtureNames.length >= 5, fixtureNames.join(',')));

  for (const name of fixtureNames) {
    it(`${name}: decode + encode gives identical ONNX Runtime outputs on batch.json (exact)`, async () => {
      const original = fs.readFileSync(path.join(fixturesDir, name, 'model.onnx'));
      // A plain Uint8Array view, so decoded byte fields compare equal to those decoded from `reencoded`.
      const model = decodeModel(new Uint8Array(original.buffer, original.byteOffset, original.length), name);
      const reencoded = encodeModel(model);
      const feeds = fixtureFeeds(name);
      const expected = await runModel(original, feeds);
      assertSameOutputs(await runModel(reencoded, feeds), expected, name);
      // A second pass changes nothing: the encoding is a fixed point and the decoded model is the same.
      assert.ok(Buffer.from(encodeModel(decodeModel(reencoded))).equals(Buffer.from(reencoded)), `${name}: not idempotent`);
      assert.deepStrictEqual(decodeModel(reencoded), model);
    });
  }

  // Real exports of torch 2.13 (both exporters, see test/fixtures/hf/README.md): decoding keeps every field,
  // metadata_props and doc strings included, so re-encoding gives back the file byte for byte.
  const hfDir = path.join(fixturesDir, 'hf');
  const byteStable = [
    ...fixtureNames.map((n) => path.join(fixturesDir, n)),
    ...fs.readdirSync(hfDir).filter((d) => d.startsWith('hf-')).map((d) => path.join(hfDir, d)),
  ];
  for (const dir of byteStable) {
    it(`${path.basename(dir)}: decode + encode gives back the file's bytes`, () => {
      const original = fs.readFileSync(path.join(dir, 'model.onnx'));
      const model = decodeModel(new Uint8Array(original.buffer, original.byteOffset, original.length), dir);
      assert.ok(Buffer.from(encodeModel(model)).equals(original), `${dir}: re-encoded bytes differ from the file`);
    });
  }

  it('reads node and graph metadata_props of a dynamo export (the torch module scope of each node)', () => {
    const model = readModelFile(path.join(hfDir, 'hf-llama-dynamo/model.onnx'));
    const q = model.graph.nodes.find((n) => n.name === 'node_linear')!;
    const scopes = q.metadata?.find((e) => e.key === 'pkg.torch.onnx.name_scopes')?.value ?? '';
    assert.ok(scopes.includes("'model.layers.0.self_attn.q_proj'"), scopes);
    assert.ok((model.graph.metadata ?? []).length > 0, 'graph metadata_props');
    const edited = { ...model, graph: { ...model.graph, nodes: model.graph.nodes.map((n) => (n === q ? { ...n, metadata: [{ key: 'note', value: 'x' }] } : n)) } };
    const back = decodeModel(encodeModel(edited)).graph.nodes.find((n) => n.name === 'node_linear')!;
    assert.deepStrictEqual(back.metadata, [{ key: 'note', value: 'x' }]);
  });

  describe('damaged files give OnnxFormatError naming the file', () => {
    let tmp: string;
    before(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'onnx-bad-'))));
    after(() => fs.rmSync(tmp, { recursive: true, force: true }));

    it('a truncated model file', () => {
      const original = fs.readFileSync(path.join(fixturesDir, 'tiny-gpt2/model.onnx'));
      for (const fraction of [0.1, 0.5, 0.9, 0.999]) {
        const file = path.join(tmp, `truncated-${fraction}.onnx`);
        fs.writeFileSync(file, original.subarray(0, Math.floor(original.length * fraction)));
        throwsFormat(() => readModelFile(file), file);
      }
    });

    it('a file of random bytes', () => {
      let s = 99;
      const next = () => (s = (s * 1664525 + 1013904223) >>> 0) & 0xff;
      for (const size of [1, 7, 100, 4096, 100_000]) {
        const file = path.join(tmp, `random-${size}.onnx`);
        fs.writeFileSync(file, Uint8Array.from({ length: size }, next));
        throwsFormat(() => readModelFile(file), file);
      }
    });

    it('an empty file, a missing file, and a JSON file', () => {
      const empty = path.join(tmp, 'empty.onnx');
      fs.writeFileSync(empty, '');
      throwsFormat(() => readModelFile(empty), empty, 'no graph');
      throwsFormat(() => readModelFile(path.join(tmp, 'absent.onnx')), 'absent.onnx');
      const json = path.join(tmp, 'config.onnx');
      fs.writeFileSync(json, '{"model_type": "llama"}');
      throwsFormat(() => readModelFile(json), json);
    });

    it('double_data cut short inside a tensor (was read past its field or threw RangeError)', () => {
      const model = (tensor: ProtoWriter) => {
        const graph = new ProtoWriter().stringField(2, 'g').message(5, tensor);
        const w = new ProtoWriter();
        w.tag(1, 0).varint(8);
        w.message(7, graph);
        const opset = new ProtoWriter();
        opset.tag(2, 0).varint(17);
        return w.message(8, opset).finish();
      };
      // dims [1], DOUBLE, packed double_data of 4 bytes (a double needs 8).
      const packed = new ProtoWriter().packedVarints(1, [1]).varintField(2, 11).stringField(8, 'd').bytesField(10, new Uint8Array(4));
      throwsFormat(() => decodeModel(model(packed), 'packed.onnx'), 'packed.onnx', 'double');
      // Unpacked (fixed64) double_data with 3 bytes left at the end of the file.
      const unpacked = new ProtoWriter().packedVarints(1, [1]).varintField(2, 11).stringField(8, 'd');
      unpacked.tag(10, 1).rawBytes(new Uint8Array(3));
      throwsFormat(() => decodeModel(model(unpacked), 'unpacked.onnx'), 'unpacked.onnx');
    });
  });
});
