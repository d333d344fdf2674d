// Merging each fixture's PEFT adapter (the plain --model/--adapter path) gives a model whose outputs are
// PyTorch's "adapted" logits. Tolerance: 1e-4 relative (max-abs diff over max-abs), float32 ONNX Runtime vs
// PyTorch float64 — the same bound the injection oracle test holds. The merged file differs from the base only
// in the adapted initializers, and the base file is left byte-identical.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { readBatchFile } from '../../../../src/core/io/batch-file';
import { readPeftAdapter } from '../../../../src/core/io/peft-adapter';
import { mergePeftAdapter } from '../../../../src/core/merge/merge-adapter';
import { readModelFile } from '../../../../src/core/onnx/model-file';
import { readSafetensorsLite } from '../../../support/read-safetensors-lite';
import { fixtureDir, initializerValues, makeTempDir, relativeMaxDiff, runModelFile, sha256 } from './merge-test-helpers';

for (const name of ['tiny-llama', 'tiny-gpt2', 'tiny-bert-cls', 'tiny-llama-named']) {
  describe(`merge the ${name} fixture adapter`, function () {
    this.timeout(120000);
    const dir = fixtureDir(name);
    const baseFile = path.join(dir, 'model.onnx');
    const out = makeTempDir();
    after(() => fs.rmSync(out, { recursive: true, force: true }));

    it('merged logits equal PyTorch "adapted" logits; the report passes; only adapted weights change', async () => {
      const before = sha256(baseFile);
      const outcome = await mergePeftAdapter(baseFile, dir, { outDir: out, batchFile: path.join(dir, 'batch.json') });
      assert.strictEqual(sha256(baseFile), before, 'the base model file must not change');
      const expected = readSafetensorsLite(path.join(dir, 'expected_logits.safetensors'));
      const logits = await runModelFile(path.join(out, 'model.onnx'), readBatchFile(path.join(dir, 'batch.json')));
      assert.ok(relativeMaxDiff(logits, expected.get('adapted')!.data) < 1e-4);
      // The adapter must matter, or the check above could pass on the base model.
      assert.ok(relativeMaxDiff(logits, expected.get('base')!.data) > 1e-3);

      const { report } = outcome;
      assert.strictEqual(report.pass, true);
      assert.ok(report.verification!.maxRelativeDiff < 1e-4 && report.verification!.comparisons[0].adapterEffect > 1e-3);
      assert.deepStrictEqual(JSON.parse(fs.readFileSync(outcome.reportFile, 'utf8')).pass, true);

      const adapted = new Set(report.modules.map((m) => m.initializer));
      assert.strictEqual(adapted.size, readPeftAdapter(dir).tensors.size);
      const baseWeights = initializerValues(baseFile);
      const mergedWeights = initializerValues(path.join(out, 'model.onnx'));
      for (const [init, { values }] of baseWeights) {
        const same = Buffer.compare(Buffer.from(values.buffer), Buffer.from(mergedWeights.get(init)!.values.buffer)) === 0;
        assert.strictEqual(same, !adapted.has(init), `initializer '${init}'`);
      }
      const [b, m] = [readModelFile(baseFile), readModelFile(path.join(out, 'model.onnx'))];
      assert.deepStrictEqual(m.graph.nodes, b.graph.nodes);
      assert.deepStrictEqual([m.graph.inputs, m.graph.outputs], [b.graph.inputs, b.graph.outputs]);
    });
  });
}
