// `thanora plan` against its oracle, the trainer: on the tiny experiment the plan's ranks, shared ranks and
// entropies are the ones a real run records in its step-0 allocation event (same code, same data: entropies
// equal to 1e-12), for per-module and per-layer allocation; and the preview cache: which option changes reuse
// the spectra, which only the covariances, which nothing.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { AllocationEvent, RunEvent } from '../../../../src/protocol/run-events';
import { readRunEvents } from '../../../../src/core/run-folder';
import { runTraining } from '../../../../src/core/train/run-training';
import { AllocationPlan, loadPlanSetup, planAllocation } from '../../../../src/core/plan/allocation-plan';
import { writeTinyExperiment } from '../../../support/tiny-experiment';

const tinyModel = path.resolve(__dirname, '../../../../../test/fixtures/tiny-llama/model.onnx');

function trainerAllocation(runDir: string): AllocationEvent {
  const e = readRunEvents(runDir).find((x: RunEvent): x is AllocationEvent => x.type === 'allocation');
  assert.ok(e, 'the run recorded no allocation');
  assert.strictEqual(e.step, 0);
  return e;
}

function assertSameAllocation(plan: AllocationPlan, event: AllocationEvent): void {
  assert.deepStrictEqual(plan.modules.map((m) => m.module), event.modules.map((m) => m.module));
  plan.modules.forEach((m, k) => {
    const recorded = event.modules[k];
    assert.deepStrictEqual(m.ranks, recorded.ranks, `${m.module}: r_t`);
    assert.strictEqual(m.cooperativeRank, recorded.cooperativeRank, `${m.module}: r_c`);
    assert.strictEqual(m.layer, recorded.layer);
    m.entropies!.forEach((h, t) => assert.ok(Math.abs(h - recorded.entropies[t]) <= 1e-12, `${m.module} task ${t}: H ${h} vs ${recorded.entropies[t]}`));
  });
}

const plan = (file: string, options: { cache?: boolean; covarianceCacheBytes?: number } = {}) => planAllocation(loadPlanSetup(file), { estimate: false, ...options });

describe('thanora plan (tiny-llama experiment)', function () {
  this.timeout(120000);
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'thanora-plan-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  for (const allocation of ['module', 'layer'] as const) {
    it(`allocates what the trainer allocates at step 0 (allocation '${allocation}')`, async () => {
      const file = writeTinyExperiment(dir, { training: { steps: 1, checkpointEvery: 0 }, method: { allocation, temperature: 0.36 } });
      const planned = await plan(file, { cache: false });
      const run = await runTraining(file);
      assert.strictEqual(run.state, 'finished', run.error);
      const event = trainerAllocation(run.runDir);
      // τ = 0.36 puts the fixture's modules (and layers) on both sides of a rounding step of r_t, so that
      // agreeing says something.
      assert.ok(new Set(event.modules.map((m) => m.ranks.join('/'))).size > 1, `every module got ${event.modules[0].ranks}`);
      assertSameAllocation(planned, event);
      const r = 6;
      for (const m of planned.modules) assert.strictEqual(m.ranks.reduce((a, b) => a + b, 0) + m.cooperativeRank, r);
      // Σ_t r_t·(d_in + d_out) + r_c·(d_in + d_out) over modules = r·Σ(d_in + d_out)
      assert.strictEqual(planned.perTask.reduce((s, t) => s + t.parameters, 0) + planned.cooperative.parameters, planned.trainableParameters);
      assert.strictEqual(planned.trainableParameters, planned.modules.reduce((s, m) => s + r * (m.dIn + m.dOut), 0));
    });
  }

  it('reuses the spectra when τ, γ, r, the shared rank or the targets change, and still allocates as the trainer', async () => {
    const file = writeTinyExperiment(dir, { training: { steps: 1, checkpointEvery: 0 } });
    const cold = await plan(file);
    assert.deepStrictEqual(cold.cache!.spectra, { hits: 0, misses: cold.modules.length });
    assert.strictEqual(cold.cache!.dir, path.join(dir, 'runs', '.cache', 'preview'));
    const changed = writeTinyExperiment(dir, {
      training: { steps: 1, checkpointEvery: 0 },
      method: { temperature: 0.01, gamma: 0.5, cooperativeRank: 1 },
      lora: { targets: ['q_proj', 'down_proj'], r: 4, alpha: 8 },
    });
    const warm = await plan(changed);
    assert.deepStrictEqual(warm.cache!.spectra, { hits: warm.modules.length, misses: 0 });
    assert.ok(warm.modules.length < cold.modules.length);
    const run = await runTraining(changed);
    assert.strictEqual(run.state, 'finished', run.error);
    assertSameAllocation(warm, trainerAllocation(run.runDir));
  });

  it('redoes only the SVDs when ε or K change, and everything when the preview data or the model change', async () => {
    const file = writeTinyExperiment(dir);
    const cold = await plan(file);
    const n = cold.modules.length;
    const epsilon = await plan(writeTinyExperiment(dir, { method: { epsilon: 1e-3 } }));
    assert.deepStrictEqual(epsilon.cache!.spectra, { hits: 0, misses: n });
    assert.deepStrictEqual(epsilon.cache!.covariances, { hits: n, misses: 0 });
    const k = await plan(writeTinyExperiment(dir, { method: { entropyRank: 10 } }));
    assert.deepStrictEqual(k.cache!.covariances, { hits: n, misses: 0 });
    // From the cached covariances, the same spectra as computed from scratch.
    const fresh = await plan(writeTinyExperiment(dir, { method: { entropyRank: 10 } }), { cache: false });
    assert.deepStrictEqual(k.modules, fresh.modules);
    const samples = await plan(writeTinyExperiment(dir, { method: { previewSamples: 4 } }));
    assert.deepStrictEqual(samples.cache!.covariances, { hits: 0, misses: n });
    const seq = await plan(writeTinyExperiment(dir, { training: { seqLength: 8 } }));
    assert.deepStrictEqual(seq.cache!.spectra, { hits: 0, misses: n });
    // The same bytes under a new modification time: the model counts as changed.
    const model = path.join(dir, 'model.onnx');
    fs.copyFileSync(tinyModel, model);
    await plan(writeTinyExperiment(dir, { baseModel: model }));
    fs.utimesSync(model, new Date(), new Date(Date.now() + 5000));
    const touched = await plan(writeTinyExperiment(dir, { baseModel: model }));
    assert.deepStrictEqual(touched.cache!.spectra, { hits: 0, misses: n });
    assert.deepStrictEqual(touched.cache!.covariances, { hits: 0, misses: n });
  });

  it('treats a damaged cache file as a miss and recomputes the same plan', async () => {
    const file = writeTinyExperiment(dir, { method: { epsilon: 1e-3 } });
    const first = await plan(file);
    const entry = fs.readdirSync(path.join(dir, 'runs/.cache/preview')).map((e) => path.join(dir, 'runs/.cache/preview', e)).find((e) => fs.statSync(e).isDirectory())!;
    for (const f of fs.readdirSync(entry).filter((f) => f.startsWith('spectra-'))) fs.writeFileSync(path.join(entry, f), '{"modules": {');
    const covariances = path.join(entry, 'covariances');
    const damaged = path.join(covariances, fs.readdirSync(covariances)[0]);
    fs.writeFileSync(damaged, fs.readFileSync(damaged).subarray(0, 100));
    const second = await plan(file);
    assert.deepStrictEqual(second.cache!.spectra, { hits: 0, misses: first.modules.length });
    assert.deepStrictEqual(second.cache!.covariances, { hits: first.modules.length - 1, misses: 1 });
    assert.deepStrictEqual(second.modules, first.modules);
  });

  it('keeps only the spectra when the covariances are over the cache budget', async () => {
    const small = { covarianceCacheBytes: 1 };
    const cold = await plan(writeTinyExperiment(dir), small);
    assert.match(cold.cache!.covariancesNotStored!, /only the spectra are cached/);
    const n = cold.modules.length;
    assert.deepStrictEqual((await plan(writeTinyExperiment(dir, { method: { temperature: 0.2 } }), small)).cache!.spectra, { hits: n, misses: 0 });
    assert.deepStrictEqual((await plan(writeTinyExperiment(dir, { method: { epsilon: 1e-3 } }), small)).cache!.covariances, { hits: 0, misses: n });
  });

  it('a baseline has no allocation to preview: one block of rank r per module, no preview, no cache', async () => {
    const planned = await plan(writeTinyExperiment(dir, { method: { name: 'lora' } }));
    assert.strictEqual(planned.cache, undefined);
    assert.deepStrictEqual(planned.perTask, []);
    for (const m of planned.modules) assert.deepStrictEqual([m.ranks, m.cooperativeRank, m.entropies], [[], 6, undefined]);
    assert.strictEqual(planned.trainableParameters, planned.modules.reduce((s, m) => s + 6 * (m.dIn + m.dOut), 0));
    assert.ok(!fs.existsSync(path.join(dir, 'runs/.cache/preview')));
  });

  it("refuses what the trainer refuses before its preview, in the trainer's words", async () => {
    // The tiny model's lm_head has no layer index, so allocation per layer cannot place it.
    const file = writeTinyExperiment(dir, { method: { allocation: 'layer' }, lora: { targets: ['q_proj', 'lm_head'], r: 6, alpha: 12 } });
    const run = await runTraining(file);
    assert.strictEqual(run.state, 'failed');
    assert.match(run.error!, /allocation 'layer' needs a layer index in every module name.*'lm_head'/);
    await assert.rejects(plan(file), (e: Error) => e.message === run.error);
  });

  it('plans in full when the cache cannot be written, and says why', async () => {
    const blocked = path.join(dir, 'not-a-folder');
    fs.writeFileSync(blocked, '');
    const file = writeTinyExperiment(dir);
    const planned = await planAllocation(loadPlanSetup(file, { runsDir: blocked }), { estimate: false });
    assert.match(planned.cache!.writeProblem!, /not-a-folder/);
    assert.deepStrictEqual(planned.modules, (await plan(file, { cache: false })).modules);
  });

  it('profiles the step again only when what shapes it changes (r, targets), not for τ or γ', async () => {
    const withEstimate = (file: string) => planAllocation(loadPlanSetup(file), {});
    const cold = await withEstimate(writeTinyExperiment(dir));
    assert.strictEqual(cold.estimate!.fromCache, false);
    const tau = await withEstimate(writeTinyExperiment(dir, { method: { temperature: 0.2, gamma: 0.5 } }));
    assert.strictEqual(tau.estimate!.fromCache, true);
    for (const k of ['stepMs', 'peakBytes', 'gflopPerStep'] as const) assert.strictEqual(tau.estimate![k], cold.estimate![k]);
    const rank = await withEstimate(writeTinyExperiment(dir, { lora: { targets: ['q_proj', 'v_proj', 'down_proj'], r: 4, alpha: 8 } }));
    assert.strictEqual(rank.estimate!.fromCache, false);
    assert.ok(rank.estimate!.peakBytes < cold.estimate!.peakBytes, 'a lower rank holds fewer adapter bytes');
  });
});
