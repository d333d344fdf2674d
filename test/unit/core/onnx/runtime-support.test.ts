// The table of what the bundled ONNX Runtime loads, probed on the real runtime: the fixture model restamped
// with each limit loads, one past it is refused. An upgrade of onnxruntime-node that moves a limit fails here.
import * as assert from 'assert';
import * as fs from 'fs';
import * as ort from 'onnxruntime-node';
import * as path from 'path';
import { decodeModel, encodeModel } from '../../../../src/core/onnx/model-codec';
import { modelSupportProblems, RUNTIME_SUPPORT } from '../../../../src/core/onnx/runtime-support';
import { ModelProto } from '../../../../src/core/onnx/types';

const fixture = path.join(__dirname, '../../../../../test/fixtures/tiny-llama/model.onnx');

async function loads(model: ModelProto): Promise<boolean> {
  try {
    const session = await ort.InferenceSession.create(encodeModel(model), { logSeverityLevel: 4 });
    await session.release();
    return true;
  } catch {
    return false;
  }
}

describe('ONNX Runtime support table', function () {
  this.timeout(60000);
  const base = decodeModel(fs.readFileSync(fixture));
  const withOpset = (domain: string, version: number): ModelProto => {
    const others = base.opsetImports.filter((o) => o.domain !== '' && o.domain !== domain);
    const main = domain === 'ai.onnx' ? [{ domain: '', version }] : [...base.opsetImports.filter((o) => o.domain === ''), { domain, version }];
    return { ...base, opsetImports: [...others, ...main] };
  };

  it('the newest IR version loads and the next is refused', async () => {
    const max = RUNTIME_SUPPORT.maxIrVersion;
    assert.strictEqual(await loads({ ...base, irVersion: max }), true);
    assert.strictEqual(await loads({ ...base, irVersion: max + 1 }), false);
    assert.deepStrictEqual(modelSupportProblems({ ...base, irVersion: max }), []);
    assert.strictEqual(modelSupportProblems({ ...base, irVersion: max + 1 }).length, 1);
  });

  for (const [domain, max] of Object.entries(RUNTIME_SUPPORT.maxOpset)) {
    it(`${domain}: opset ${max} is accepted by the runtime and ${max + 1} refused`, async () => {
      // ai.onnx restamps the fixture's own opset: its nodes are opset-17 nodes, valid up to the max for this graph.
      if (domain !== 'ai.onnx') assert.strictEqual(await loads(withOpset(domain, max)), true);
      assert.strictEqual(await loads(withOpset(domain, max + 1)), false);
      assert.deepStrictEqual(modelSupportProblems(withOpset(domain, max)), []);
      assert.strictEqual(modelSupportProblems(withOpset(domain, max + 1)).length, 1);
    });
  }

  it('every fixture model is within the table', () => {
    for (const name of ['tiny-llama', 'tiny-gpt2', 'tiny-bert-cls', 'bench-llama']) {
      const model = decodeModel(fs.readFileSync(path.join(__dirname, '../../../../../test/fixtures', name, 'model.onnx')));
      assert.deepStrictEqual(modelSupportProblems(model), [], name);
    }
  });
});
