import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { OnnxFormatError, encodeModel } from '../../../../src/core/onnx/model-codec';
import { readModelFile, writeModelFile } from '../../../../src/core/onnx/model-file';
import { openModelSession } from '../../../../src/core/runtime/model-session';
import { assertSameOutputs, fixtureFeeds, fixturesDir, runModel } from './codec-helpers';

describe('ONNX model files with external data', () => {
  let tmp: string;
  beforeEach(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'onnx-ext-'))));
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  for (const name of ['tiny-llama', 'tiny-bert-cls']) {
    it(`${name}: externalData 'always' then readModelFile, and ONNX Runtime loading the path, give identical outputs (exact)`, async () => {
      const originalFile = path.join(fixturesDir, name, 'model.onnx');
      const model = readModelFile(originalFile);
      const file = path.join(tmp, 'model.onnx');
      writeModelFile(file, model, { externalData: 'always' });
      assert.deepStrictEqual(fs.readdirSync(tmp).sort(), ['model.onnx', 'model.onnx.data']);

      const refs = readModelFile(file, { loadExternalData: false }).graph.initializers.filter((t) => t.external);
      assert.ok(refs.length > 0, 'no tensor went external');
      for (const t of refs) {
        assert.strictEqual(t.external!.location, 'model.onnx.data');
        assert.strictEqual(t.external!.offset % 4096, 0, `${t.name} not page-aligned`);
      }
      assert.ok(fs.statSync(file).size < fs.statSync(originalFile).size / 2, 'weights stayed inside the .onnx');

      const feeds = fixtureFeeds(name);
      const expected = await runModel(fs.readFileSync(originalFile), feeds);
      const reloaded = readModelFile(file, { loadExternalData: true });
      assert.ok(reloaded.graph.initializers.every((t) => !t.external && t.raw));
      assertSameOutputs(await runModel(encodeModel(reloaded), feeds), expected, `${name} reloaded`);
      // Kept as refs (the default), the same model runs through a session mapping the data from its folder.
      const lazy = readModelFile(file);
      assert.ok(lazy.graph.initializers.some((t) => t.external && t.external.baseDir === tmp && !t.raw));
      const opened = await openModelSession(lazy, { device: 'cpu' });
      try {
        assertSameOutputs(await opened.session.run(feeds), expected, `${name} mapped from its data file`);
      } finally {
        await opened.session.release();
      }
      assertSameOutputs(await runModel(file, feeds), expected, `${name} loaded by ONNX Runtime from its path`);
    });
  }

  it("externalData 'never' writes one file that reads back equal", () => {
    const model = readModelFile(path.join(fixturesDir, 'tiny-gpt2/model.onnx'));
    const file = path.join(tmp, 'one.onnx');
    writeModelFile(file, model, { externalData: 'never' });
    assert.deepStrictEqual(fs.readdirSync(tmp), ['one.onnx']);
    // and a model whose tensors are refs to another file is written self-contained, read tensor by tensor
    const external = path.join(tmp, 'ext.onnx');
    writeModelFile(external, model, { externalData: 'always' });
    const inlined = path.join(tmp, 'inlined.onnx');
    writeModelFile(inlined, readModelFile(external), { externalData: 'never' });
    assert.deepStrictEqual(readModelFile(inlined), model);
    assert.deepStrictEqual(readModelFile(file), model);
  });

  it('a missing data file is an OnnxFormatError naming the tensor and the data file', () => {
    const model = readModelFile(path.join(fixturesDir, 'tiny-gpt2/model.onnx'));
    const file = path.join(tmp, 'm.onnx');
    writeModelFile(file, model, { externalData: 'always', dataFileName: 'weights.bin' });
    fs.rmSync(path.join(tmp, 'weights.bin'));
    assert.throws(
      () => readModelFile(file),
      (e: Error) => e instanceof OnnxFormatError && e.message.includes(file) && e.message.includes("'weights.bin'") && /tensor '.+'/.test(e.message),
    );
  });

  it('a data file cut short is an OnnxFormatError naming the tensor', () => {
    const model = readModelFile(path.join(fixturesDir, 'tiny-gpt2/model.onnx'));
    const file = path.join(tmp, 'm.onnx');
    writeModelFile(file, model, { externalData: 'always' });
    const data = path.join(tmp, 'm.onnx.data');
    fs.truncateSync(data, fs.statSync(data).size - 10);
    assert.throws(() => readModelFile(file), (e: Error) => e instanceof OnnxFormatError && e.message.includes('m.onnx.data') && /tensor '.+'/.test(e.message));
  });
});
