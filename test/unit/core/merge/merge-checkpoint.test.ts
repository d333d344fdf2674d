// Merging a run's checkpoint: the merged weights are W' + s·B·A = W + s·(B·A − B₀·A₀) (residual) or W + s·B·A,
// and the exported PEFT adapter, applied to the ORIGINAL base, reproduces them.
// Tolerances: weights 1e-6 relative (max-abs diff over max-abs of the float64 reference; the merged weight is
// float32, one rounding = 6e-8); logits 1e-4 relative (float32 ONNX Runtime, different summation orders).
import * as assert from 'assert';
import * as fs from 'fs';
import * as ort from 'onnxruntime-node';
import * as path from 'path';
import { LoraPair, readPeftAdapter } from '../../../../src/core/io/peft-adapter';
import { injectLora } from '../../../../src/core/lora/inject-lora';
import { mergeCheckpoint } from '../../../../src/core/merge/merge-adapter';
import { probesFromRunConfig } from '../../../../src/core/merge/probe-batches';
import { encodeModel } from '../../../../src/core/onnx/model-codec';
import { readModelFile } from '../../../../src/core/onnx/model-file';
import { ALPHA, COOPERATIVE_RANK, RANK, SyntheticRun, TASK_RANKS, buildSyntheticRun } from './synthetic-run';
import { initializerValues, makeTempDir, relativeMaxDiff, runModelFile, sha256 } from './merge-test-helpers';

const toOutIn = (values: Float32Array, dims: number[], stored: string) =>
  stored === 'out_in' ? Float64Array.from(values) : Float64Array.from({ length: values.length }, (_, k) => values[(k % dims[0]) * dims[1] + Math.floor(k / dims[0])]);

// W + Σ scale·B·A in float64, PEFT orientation.
function plusLowRank(w: Float64Array, dOut: number, dIn: number, terms: { pair: LoraPair; scale: number }[]): Float64Array {
  const out = Float64Array.from(w);
  for (const { pair, scale } of terms) {
    const r = pair.A.shape[0];
    const [A, B] = [pair.A.data as Float32Array, pair.B.data as Float32Array];
    for (let o = 0; o < dOut; o++) for (let j = 0; j < r; j++) {
      const c = scale * B[o * r + j];
      for (let i = 0; i < dIn; i++) out[o * dIn + i] += c * A[j * dIn + i];
    }
  }
  return out;
}

for (const residual of [true, false]) {
  describe(`merge a ${residual ? 'residual (thanora)' : 'vanilla (lora)'} checkpoint`, function () {
    this.timeout(120000);
    const s = ALPHA / RANK;
    let run: SyntheticRun;
    let outDir: string;
    let report: Awaited<ReturnType<typeof mergeCheckpoint>>['report'];
    before(async () => {
      run = buildSyntheticRun(makeTempDir(), { residual });
      const hash = sha256(run.baseModelFile);
      ({ outDir, report } = await mergeCheckpoint(run.runDir));
      assert.strictEqual(sha256(run.baseModelFile), hash, 'the base model file must not change');
    });
    after(() => fs.rmSync(run.runDir, { recursive: true, force: true }));

    it('writes <run>/merged with a passing report on every task', () => {
      assert.strictEqual(outDir, path.join(run.runDir, 'merged'));
      for (const f of ['model.onnx', 'adapter_model.safetensors', 'adapter_config.json', 'merge-report.json']) assert.ok(fs.existsSync(path.join(outDir, f)), f);
      assert.strictEqual(report.pass, true);
      assert.strictEqual(report.probes.source, 'run eval files');
      assert.deepStrictEqual(report.verification!.comparisons.map((c) => c.task), ['alpha', 'beta']);
      for (const c of report.verification!.comparisons) assert.ok(c.relativeDiff < 1e-4 && c.adapterEffect > 1e-3, JSON.stringify(c));
      assert.deepStrictEqual(report.source.step, 10);
    });

    it(`merged weights equal W + s·(B·A${residual ? ' − B₀·A₀' : ''}) in float64`, () => {
      const base = initializerValues(run.baseModelFile);
      const merged = initializerValues(path.join(outDir, 'model.onnx'));
      for (const m of run.modules) {
        const w = toOutIn(base.get(m.initializer)!.values, base.get(m.initializer)!.dims, m.stored);
        const terms = [{ pair: run.trained.get(m.peftName)!, scale: s }];
        if (residual) terms.push({ pair: run.init!.get(m.peftName)!, scale: -s });
        const expected = plusLowRank(w, m.dOut, m.dIn, terms);
        const got = toOutIn(merged.get(m.initializer)!.values, merged.get(m.initializer)!.dims, m.stored);
        assert.ok(relativeMaxDiff(got, expected) < 1e-6, m.peftName);
      }
    });

    it(`the PEFT export (rank ${residual ? '2r' : 'r'}) applied to the original base in float64 reproduces the merged weights`, () => {
      const exported = readPeftAdapter(outDir);
      const rank = residual ? 2 * RANK : RANK;
      assert.deepStrictEqual([exported.config.r, exported.config.lora_alpha, exported.config.rank_pattern], [rank, residual ? 2 * ALPHA : ALPHA, {}]);
      const thanora = exported.config.thanora as Record<string, unknown>;
      assert.deepStrictEqual((thanora.blocks as Record<string, unknown>)[run.modules[0].peftName], { taskRanks: TASK_RANKS, cooperativeRank: COOPERATIVE_RANK });
      assert.deepStrictEqual([thanora.tasks, thanora.residual], [['alpha', 'beta'], residual]);
      const base = initializerValues(run.baseModelFile);
      const merged = initializerValues(path.join(outDir, 'model.onnx'));
      for (const m of run.modules) {
        const pair = exported.tensors.get(m.peftName)!;
        assert.deepStrictEqual([pair.A.shape, pair.B.shape], [[rank, m.dIn], [m.dOut, rank]]);
        const w = toOutIn(base.get(m.initializer)!.values, base.get(m.initializer)!.dims, m.stored);
        const viaExport = plusLowRank(w, m.dOut, m.dIn, [{ pair, scale: exported.config.lora_alpha / exported.config.r }]);
        const got = toOutIn(merged.get(m.initializer)!.values, merged.get(m.initializer)!.dims, m.stored);
        assert.ok(relativeMaxDiff(got, viaExport) < 1e-6, m.peftName);
      }
    });

    it('the PEFT export injected into the original base gives the merged model\'s logits', async () => {
      const exported = readPeftAdapter(outDir);
      const base = readModelFile(run.baseModelFile);
      const injected = injectLora(base, run.modules, { rank: exported.config.r, alpha: exported.config.lora_alpha });
      const feeds: Record<string, ort.Tensor> = {};
      for (const a of injected.adapters) {
        const pair = exported.tensors.get(a.peftName)!;
        feeds[a.aInput] = new ort.Tensor('float32', pair.A.data as Float32Array, pair.A.shape);
        feeds[a.bInput] = new ort.Tensor('float32', pair.B.data as Float32Array, pair.B.shape);
      }
      const [probe] = probesFromRunConfig(path.join(run.runDir, 'config.json'), 96);
      const viaExport = await runModelFile(encodeModel(injected.model), probe.batch, feeds);
      const merged = await runModelFile(path.join(outDir, 'model.onnx'), probe.batch);
      assert.ok(relativeMaxDiff(merged, viaExport) < 1e-4);
    });
  });
}

describe('merge a checkpoint folder directly', function () {
  this.timeout(120000);
  it('defaults the output to <checkpoint>/merged and honours --out', async () => {
    const run = buildSyntheticRun(makeTempDir(), { residual: true, seed: 5 });
    try {
      const first = await mergeCheckpoint(run.checkpointDir, { verify: false });
      assert.strictEqual(first.outDir, path.join(run.checkpointDir, 'merged'));
      assert.strictEqual(first.report.pass, null);
      const out = path.join(run.runDir, 'elsewhere');
      const second = await mergeCheckpoint(run.checkpointDir, { outDir: out, verify: false });
      assert.strictEqual(second.outDir, out);
      assert.strictEqual(sha256(path.join(out, 'model.onnx')), sha256(path.join(first.outDir, 'model.onnx')));
    } finally {
      fs.rmSync(run.runDir, { recursive: true, force: true });
    }
  });
});
