// LoRA-GA against its oracle (test/fixtures/lora-ga, scripts/fixtures/make-lora-ga-fixture.py): transformers'
// float64 gradients of the hf-llama-ts fixture's causal-LM loss, averaged over two batches, for a square, a
// wide and a tall weight, and the authors' init from them (exact SVD).
//   - G from the engine's autodiff: 1e-6 of max|G| in float64 (measured 1.7e-7: the gradients come back as
//     float32), 2e-6 in float32 (measured 4.1e-7).
//   - A, B from the oracle's G: 1e-8 of max|A| or max|B|, each row of A and column of B up to its sign (an
//     SVD fixes singular vectors only up to sign, and B·A pairs u_{r+i} with v_i, so signs are not shared).
//   - The whole init (float32 gradients): the residual model with the init adapter gives the base model's
//     logits to 1e-5, and A, B match the oracle's to 1e-5 (measured 9e-7; q_proj's σ_2r/σ_2r+1 gap is 3.5%).
import * as assert from 'assert';
import * as fs from 'fs';
import * as ort from 'onnxruntime-node';
import * as path from 'path';
import { Batch, parseBatch } from '../../../../src/core/io/batch-file';
import { Matrix, fromRows, matmulTransposeB, scaleColumns, sliceCols } from '../../../../src/core/linalg/matrix';
import { qr } from '../../../../src/core/linalg/qr';
import { randomNormalMatrix, seededRng } from '../../../../src/core/linalg/random';
import { injectLora } from '../../../../src/core/lora/inject-lora';
import { resolveTargets } from '../../../../src/core/lora/resolve-targets';
import { initializeMethod } from '../../../../src/core/method/method-init';
import { loraGaModule } from '../../../../src/core/method/module-inits';
import { weightGradients } from '../../../../src/core/method/weight-gradients';
import { encodeModel } from '../../../../src/core/onnx/model-codec';
import { readModelFile } from '../../../../src/core/onnx/model-file';
import { tensorToFloat32 } from '../../../../src/core/onnx/tensor-data';
import { ModelProto } from '../../../../src/core/onnx/types';
import { openSession } from '../../../../src/core/runtime/session';
import { batchFeeds } from '../../../../src/core/train/batch-feeds';
import { ExperimentConfig } from '../../../../src/core/experiment/experiment-config';

const fixtures = path.join(__dirname, '../../../../../test/fixtures');
const oracle = JSON.parse(fs.readFileSync(path.join(fixtures, 'lora-ga/lora-ga.json'), 'utf8'));
const hf = path.join(fixtures, 'hf/hf-llama-ts');
const moduleMap = JSON.parse(fs.readFileSync(path.join(hf, 'module_map.json'), 'utf8')).module_map;

const maxAbs = (xs: ArrayLike<number>) => Array.from(xs).reduce((m, x) => Math.max(m, Math.abs(x)), 0);

/** max |got − sign·want| over rows (sign chosen per row) of two r×n matrices, relative to max|want|. */
function rowsUpToSign(got: Matrix, want: Matrix): number {
  assert.deepStrictEqual([got.rows, got.cols], [want.rows, want.cols]);
  let worst = 0;
  for (let i = 0; i < got.rows; i++) {
    const row = (m: Matrix) => m.data.subarray(i * m.cols, (i + 1) * m.cols);
    const [g, w] = [row(got), row(want)];
    const dot = g.reduce((acc, x, j) => acc + x * w[j], 0);
    const sign = dot < 0 ? -1 : 1;
    worst = Math.max(worst, ...Array.from(g, (x, j) => Math.abs(x - sign * w[j])));
  }
  return worst / maxAbs(want.data);
}

const transposed = (m: Matrix): Matrix => ({ rows: m.cols, cols: m.rows, data: Float64Array.from({ length: m.data.length }, (_, k) => m.data[(k % m.rows) * m.cols + Math.floor(k / m.rows)]) });

describe('lora_ga: LoRA-GA against transformers (hf-llama-ts)', function () {
  this.timeout(180000);
  const model = readModelFile(path.join(hf, 'model.onnx'));
  const names: string[] = oracle.cases.map((c: { module: string }) => c.module);
  const modules = resolveTargets(model, Object.fromEntries(names.map((n) => [n, moduleMap[n]])));
  const batches: Batch[] = oracle.batches.map((b: unknown, i: number) => parseBatch(b, `oracle batch ${i}`));

  for (const precision of ['float64', 'float32'] as const) {
    const tol = precision === 'float64' ? 1e-6 : 2e-6;
    it(`G = mean over the batches of ∂L/∂W equals transformers' (${precision}, ${tol} of max|G|)`, async () => {
      const grads = await weightGradients(model, modules, batches, { head: 'causal_lm', device: 'cpu', threads: 1, precision });
      for (const c of oracle.cases) {
        const want = fromRows(c.G);
        const got = grads.get(c.module)!;
        assert.deepStrictEqual([got.rows, got.cols], [want.rows, want.cols], c.module);
        const diff = maxAbs(got.data.map((x, k) => x - want.data[k])) / maxAbs(want.data);
        assert.ok(diff <= tol, `${c.module}: ${diff.toExponential(2)}`);
      }
    });
  }

  it("A = ζ·V[:, :r]ᵀ, B = ζ·U[:, r:2r] from the oracle's G equal the authors' init (1e-8, up to sign)", async () => {
    for (const c of oracle.cases) {
      const init = await loraGaModule(c.module, fromRows(c.G), oracle.r, oracle.lora_alpha, 0);
      assert.strictEqual(init.scaling, oracle.lora_alpha / oracle.r);
      assert.ok(rowsUpToSign(init.a, fromRows(c.A)) <= 1e-8, `${c.module} A`);
      assert.ok(rowsUpToSign(transposed(init.b), transposed(fromRows(c.B))) <= 1e-8, `${c.module} B`);
    }
  });

  it('above 512 dimensions (randomized SVD): recovers the planted top-2r singular vectors of a 600×520 G (1e-6, up to sign)', async () => {
    // G = U·diag(σ)·Vᵀ with 40 directions, σ_i = 0.8^i: no sharp rank, as gradients have.
    const rng = seededRng(7);
    const u = qr(randomNormalMatrix(600, 40, rng)).q;
    const v = qr(randomNormalMatrix(520, 40, rng)).q;
    const g = matmulTransposeB(scaleColumns(u, Float64Array.from({ length: 40 }, (_, i) => 0.8 ** i)), v);
    const r = 4;
    const init = await loraGaModule('big', g, r, 2 * r, 0);
    const zeta = 600 ** 0.25 / 4;
    const planted = (m: Matrix, from: number) => ({ rows: r, cols: m.rows, data: transposed(sliceCols(m, from, from + r)).data.map((x) => x * zeta) });
    assert.ok(rowsUpToSign(init.a, planted(v, 0)) <= 1e-6, 'A');
    assert.ok(rowsUpToSign(transposed(init.b), planted(u, r)) <= 1e-6, 'B');
  });

  it('refuses a module with fewer than 2r gradient directions, naming it', async () => {
    const g = fromRows([[1, 2, 3], [4, 5, 6]]);
    await assert.rejects(loraGaModule('tiny.proj', g, 2, 4, 0), /module 'tiny\.proj' \(d_out 2, d_in 3\) has fewer than 2r = 4 gradient directions; lower lora.r to 1/);
  });

  describe('the whole init (initializeMethod, float32)', () => {
    const method = { name: 'lora_ga', previewSamples: 8 } as ExperimentConfig['method'];
    let init: Awaited<ReturnType<typeof initializeMethod>>;
    before(async () => {
      // One "task" per oracle batch: the gradient is the mean over all preview batches of all tasks.
      init = await initializeMethod({ model, modules, lora: { r: oracle.r, alpha: oracle.lora_alpha }, method, tasks: ['a', 'b'], seed: 1, device: 'cpu', threads: 1, head: 'causal_lm', preview: batches.map((b) => [b]) });
    });

    it("A and B match the oracle's (1e-5, up to sign)", () => {
      for (const c of oracle.cases) {
        const m = modules.find((x) => x.peftName === c.module)!;
        const a: Matrix = { rows: oracle.r, cols: m.dIn, data: Float64Array.from(init.values.get(`${c.module}.lora_A.weight`)!) };
        const b: Matrix = { rows: m.dOut, cols: oracle.r, data: Float64Array.from(init.values.get(`${c.module}.lora_B.weight`)!) };
        const [da, db] = [rowsUpToSign(a, fromRows(c.A)), rowsUpToSign(transposed(b), transposed(fromRows(c.B)))];
        assert.ok(da <= 1e-5 && db <= 1e-5, `${c.module}: A ${da.toExponential(2)}, B ${db.toExponential(2)}`);
      }
    });

    it('the residual model W′ = W − s·B₀A₀ with the init adapter gives the base logits (atol 1e-5)', async () => {
      assert.strictEqual(init.residual, true);
      const injected = injectLora(init.model, modules, { rank: oracle.r, alpha: oracle.lora_alpha });
      const feeds: Record<string, ort.Tensor> = batchFeeds(model, batches[0]);
      for (const a of injected.adapters) {
        feeds[a.aInput] = new ort.Tensor('float32', init.values.get(a.aInput)!, a.shapeA);
        feeds[a.bInput] = new ort.Tensor('float32', init.values.get(a.bInput)!, a.shapeB);
      }
      const logits = async (m: ModelProto) => {
        const { session } = await openSession(encodeModel(m), { device: 'cpu', threads: 1 });
        try {
          const out = await session.run(Object.fromEntries(session.inputNames.map((n) => [n, feeds[n]])));
          return out[session.outputNames[0]].data as Float32Array;
        } finally {
          await session.release();
        }
      };
      const [base, adapted] = [await logits(model), await logits(injected.model)];
      const diff = maxAbs(base.map((x, k) => x - adapted[k]));
      assert.ok(diff <= 1e-5, `max |Δlogit| ${diff.toExponential(2)}`);
      // The residual really differs from W, or the check above could pass on an untouched model.
      const w = (mp: ModelProto) => tensorToFloat32(mp.graph.initializers.find((t) => t.name === modules[0].initializer)!);
      assert.ok(maxAbs(w(init.model).map((x, k) => x - w(model)[k])) > 1e-4);
    });
  });
});
