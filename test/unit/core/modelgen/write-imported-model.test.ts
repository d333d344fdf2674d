// Where an imported model's weights live: in place when the checkpoint is inside the model's folder, hard
// links when it is not (a Hub cache snapshot links into ../../blobs, which ONNX Runtime refuses to follow),
// one converted data file when the dtype changes. ONNX Runtime opens every variant from its path.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { importHfModel } from '../../../../src/core/modelgen/import-hf-model';
import { writeImportedModel } from '../../../../src/core/modelgen/write-imported-model';
import { readModelFile } from '../../../../src/core/onnx/model-file';
import { bfloat16ToFloat } from '../../../../src/core/onnx/tensor-data';
import { readSafetensorsHeader } from '../../../../src/core/io/safetensors';
import { TokenBatch, expectedLogits, hfFixture, importFixture, logitsOf, readJson, relativeError, tempDir } from './hf-import-helpers';

const llamaDir = path.join(hfFixture('hf-llama-ts'), 'hf_base');
const batch = readJson<TokenBatch>(path.join(hfFixture('hf-llama-ts'), 'batch.json'));
const expected = expectedLogits(path.join(hfFixture('hf-llama-ts'), 'expected_logits.safetensors')).get('base')!;

function copyFolder(src: string, dst: string): string {
  fs.cpSync(src, dst, { recursive: true });
  return dst;
}

describe('writeImportedModel', function () {
  this.timeout(60000);
  const root = tempDir();
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  it('inside the Hugging Face folder: the initializers point into model.safetensors itself, nothing is copied', async () => {
    const hf = copyFolder(llamaDir, path.join(root, 'in-place'));
    const before = fs.statSync(path.join(hf, 'model.safetensors'));
    const written = await writeImportedModel(importHfModel(hf), path.join(hf, 'model.onnx'));
    assert.deepStrictEqual(written.weightFiles, [{ location: 'model.safetensors', how: 'in place', bytes: before.size }]);
    assert.deepStrictEqual(written.copied, []);
    const model = readModelFile(written.file, { loadExternalData: false });
    const header = readSafetensorsHeader(path.join(hf, 'model.safetensors'));
    for (const t of model.graph.initializers.filter((t) => t.external)) {
      const entry = header.tensors.get(t.name)!;
      assert.deepStrictEqual([t.external!.offset, t.external!.length], [entry.offset, entry.length], t.name);
    }
    // Offsets are not page-aligned (8 + header + data offset); ONNX Runtime reads them as they are.
    assert.ok(model.graph.initializers.some((t) => t.external && t.external.offset % 4096 !== 0));
    assert.ok(relativeError((await logitsOf(written.file, batch)).data, expected.data) < 1e-5);
    assert.strictEqual(fs.statSync(path.join(hf, 'model.safetensors')).mtimeMs, before.mtimeMs);
  });

  it('a Hub cache snapshot (model.safetensors → ../../blobs/…): hard-linked beside the model, which ONNX Runtime then opens', async () => {
    const cache = path.join(root, 'hub');
    fs.mkdirSync(path.join(cache, 'blobs'), { recursive: true });
    const snapshot = path.join(cache, 'snapshots', 'abc123');
    fs.mkdirSync(snapshot, { recursive: true });
    for (const f of fs.readdirSync(llamaDir)) {
      fs.copyFileSync(path.join(llamaDir, f), path.join(cache, 'blobs', `${f}.blob`));
      fs.symlinkSync(path.join('..', '..', 'blobs', `${f}.blob`), path.join(snapshot, f));
    }
    const written = await writeImportedModel(importHfModel(snapshot), path.join(snapshot, 'model.onnx'));
    assert.deepStrictEqual(written.weightFiles.map((w) => [w.location, w.how]), [['model.onnx.weights/model.safetensors', 'hard link']]);
    const linked = fs.statSync(path.join(snapshot, 'model.onnx.weights', 'model.safetensors'));
    assert.strictEqual(linked.ino, fs.statSync(path.join(cache, 'blobs', 'model.safetensors.blob')).ino);
    assert.ok(relativeError((await logitsOf(written.file, batch)).data, expected.data) < 1e-5);
  });

  it('another folder: hard links plus config and tokenizer files; a second import reuses the links', async () => {
    const hf = copyFolder(llamaDir, path.join(root, 'src'));
    fs.copyFileSync(path.join(hfFixture('train_assets'), 'tokenizer.json'), path.join(hf, 'tokenizer.json'));
    const out = path.join(root, 'workspace', 'llama');
    const first = await writeImportedModel(importHfModel(hf), path.join(out, 'model.onnx'));
    assert.deepStrictEqual(first.weightFiles.map((w) => [w.location, w.how]), [['model.safetensors', 'hard link']]);
    assert.deepStrictEqual(first.copied, ['config.json', 'generation_config.json', 'tokenizer.json']);
    const again = await writeImportedModel(importHfModel(hf), path.join(out, 'model.onnx'));
    assert.deepStrictEqual(again.weightFiles.map((w) => [w.location, w.how]), [['model.safetensors', 'hard link']]);
    assert.ok(relativeError((await logitsOf(again.file, batch)).data, expected.data) < 1e-5);
  });

  it('a bfloat16 checkpoint for a float32 graph: one data file, page-aligned, values widened exactly', async () => {
    const hf = path.join(importFixture('qwen2-bf16'), 'hf_base');
    const written = await writeImportedModel(importHfModel(hf), path.join(root, 'bf16', 'model.onnx'));
    assert.deepStrictEqual(written.weightFiles.map((w) => [w.location, w.how]), [['model.onnx.data', 'converted']]);
    const model = readModelFile(written.file, { loadExternalData: true });
    const header = readSafetensorsHeader(path.join(hf, 'model.safetensors'));
    const source = fs.readFileSync(path.join(hf, 'model.safetensors'));
    const lazy = readModelFile(written.file, { loadExternalData: false });
    for (const t of lazy.graph.initializers.filter((t) => t.external)) assert.strictEqual(t.external!.offset % 4096, 0, t.name);
    const name = 'model.layers.1.mlp.down_proj.weight';
    const entry = header.tensors.get(name)!;
    const t = model.graph.initializers.find((i) => i.name === name)!;
    const values = new Float32Array(t.raw!.slice().buffer);
    assert.strictEqual(values.length, entry.length / 2);
    for (let i = 0; i < values.length; i += 97) assert.strictEqual(values[i], bfloat16ToFloat(source.readUInt16LE(entry.offset + 2 * i)));
  });
});
