// initializeMethod on test/fixtures/tiny-llama (vocab 96, d 64, 2 layers, 14 adapted modules) with two
// synthetic tasks (token ids 3..19 vs 40..95), r = 8, alpha = 16.
// Tolerances: step-0 logits of residual base + initial adapter vs the base model, atol 1e-5 in float32
// (design invariant); W − W' vs s·B₀·A₀ per module, 1e-6·max|W| (float32 rounding of W' and of the product).
import * as assert from 'assert';
import * as ort from 'onnxruntime-node';
import * as path from 'path';
import { injectLora } from '../../../../src/core/lora/inject-lora';
import { ResolvedModule } from '../../../../src/core/lora/linear-modules';
import { loraInputNames } from '../../../../src/core/lora/peft-names';
import { resolveTargets } from '../../../../src/core/lora/resolve-targets';
import { indexGraph } from '../../../../src/core/lora/graph-index';
import { readModelFile } from '../../../../src/core/onnx/model-file';
import { ModelProto } from '../../../../src/core/onnx/types';
import { readPeftAdapter } from '../../../../src/core/io/peft-adapter';
import { MethodInit, initializeMethod } from '../../../../src/core/method/method-init';
import { moduleWeight } from '../../../../src/core/method/module-weights';
import { METHOD_NAMES, MethodName, methodSpec } from '../../../../src/core/method/method-registry';
import { fixtures, llamaTargets, maxAbsDiff, methodConfig, range, runOutput, syntheticBatches } from './method-fixtures';

const r = 8;
const alpha = 16;
const preview = [syntheticBatches(1, range(3, 20), 8, 12, 4), syntheticBatches(2, range(40, 96), 8, 12, 4)];
const probe = syntheticBatches(3, range(0, 96), 3, 10, 3)[0];

/** max |logits(frozen + initial adapter) − logits(base)|; `frozen` defaults to the init's residual base. */
async function stepZeroDiff(base: ModelProto, modules: ResolvedModule[], init: MethodInit, frozen = init.model): Promise<number> {
  const injected = injectLora(frozen, modules, { rank: init.rank, alpha });
  const feeds: Record<string, ort.Tensor> = {};
  for (const a of injected.adapters) {
    feeds[a.aInput] = new ort.Tensor('float32', init.values.get(a.aInput)!, a.shapeA);
    feeds[a.bInput] = new ort.Tensor('float32', init.values.get(a.bInput)!, a.shapeB);
  }
  return maxAbsDiff(await runOutput(injected.model, probe, feeds), await runOutput(base, probe));
}

function initOf(model: ModelProto, modules: ResolvedModule[], name: MethodName, overrides = {}): Promise<MethodInit> {
  return initializeMethod({ model, modules, lora: { r, alpha }, method: methodConfig({ name, ...overrides }), tasks: ['narrow', 'wide'], seed: 7, preview, head: 'causal_lm', device: 'cpu', threads: 1 });
}

describe('method/method-init on tiny-llama', function () {
  this.timeout(120000);
  const model = readModelFile(path.join(fixtures, 'tiny-llama', 'model.onnx'));
  const modules = resolveTargets(model, llamaTargets);
  const firstWeight = model.graph.initializers.find((t) => t.name === modules[0].initializer)!;
  const bytesBefore = Uint8Array.from(firstWeight.raw!);
  const inits = new Map<MethodName, MethodInit>();
  before(async () => {
    for (const name of METHOD_NAMES) inits.set(name, await initOf(model, modules, name));
  });

  for (const name of METHOD_NAMES) {
    it(`${name}: residual base + initial adapter gives the base model's logits (atol 1e-5)`, async () => {
      const diff = await stepZeroDiff(model, modules, inits.get(name)!);
      assert.ok(diff <= 1e-5, `max |Δlogits| = ${diff.toExponential(2)}`);
      // The check can fail: without the residual the same adapter moves the logits.
      assert.strictEqual(inits.get(name)!.residual, methodSpec(name).residual);
      if (methodSpec(name).residual) assert.ok((await stepZeroDiff(model, modules, inits.get(name)!, model)) > 1e-2);
    });
  }

  it('does not modify the input model; lora keeps it, residual methods return a new one', () => {
    assert.deepStrictEqual(Uint8Array.from(firstWeight.raw!), bytesBefore);
    assert.strictEqual(inits.get('lora')!.model, model);
    assert.notStrictEqual(inits.get('thanora')!.model, model);
    assert.strictEqual(inits.get('lora')!.init.size, 0);
  });

  it('thanora: Σ r_t + r_c = r, the allocation report matches the blocks, every module gets rank r', () => {
    const init = inits.get('thanora')!;
    assert.strictEqual(init.allocation!.length, modules.length);
    for (const m of modules) {
      const blocks = init.blocks[m.peftName];
      assert.strictEqual(blocks.taskRanks.reduce((a, b) => a + b, 0) + blocks.cooperativeRank, r, m.peftName);
      assert.ok(blocks.taskRanks.every((x) => x >= 1));
      assert.strictEqual(blocks.cooperativeRank, 2);
      const entry = init.allocation!.find((e) => e.module === m.peftName)!;
      assert.deepStrictEqual([entry.ranks, entry.cooperativeRank, entry.layer], [blocks.taskRanks, blocks.cooperativeRank, Number(m.peftName.split('.')[2])]);
      assert.strictEqual(entry.entropies.length, 2);
      assert.strictEqual(init.scales.get(m.peftName), alpha / r);
      const { aInput, bInput } = loraInputNames(m.peftName);
      assert.strictEqual(init.values.get(aInput)!.length, r * m.dIn);
      assert.strictEqual(init.values.get(bInput)!.length, m.dOut * r);
    }
    for (const name of ['pissa', 'corda', 'lora'] as const) {
      assert.strictEqual(inits.get(name)!.allocation, undefined);
      assert.deepStrictEqual(inits.get(name)!.blocks[modules[0].peftName], { taskRanks: [], cooperativeRank: r });
    }
  });

  it('thanora: blocks are consistent with the values and W − W\' = s·B₀·A₀', () => {
    const init = inits.get('thanora')!;
    const baseIndex = indexGraph(model.graph);
    const residualIndex = indexGraph(init.model.graph);
    for (const m of modules) {
      const { aInput, bInput } = loraInputNames(m.peftName);
      const [a, b, a0, b0] = [init.values.get(aInput)!, init.values.get(bInput)!, init.init.get(aInput)!, init.init.get(bInput)!];
      const tasks = init.blocks[m.peftName].taskRanks.reduce((x, y) => x + y, 0);
      // Cooperative block: A_c Kaiming-uniform within ±1/√d_in and not zero, B_c = 0; A₀/B₀ hold only the task blocks.
      const coopA = a.subarray(tasks * m.dIn);
      assert.ok(coopA.some((v) => v !== 0) && coopA.every((v) => Math.abs(v) <= 1 / Math.sqrt(m.dIn)));
      for (let i = 0; i < m.dOut; i++) for (let j = tasks; j < r; j++) assert.strictEqual(b[i * r + j], 0);
      assert.ok(a0.subarray(tasks * m.dIn).every((v) => v === 0));
      assert.deepStrictEqual(a0.subarray(0, tasks * m.dIn), a.subarray(0, tasks * m.dIn));
      assert.deepStrictEqual(b0, b);
      const w = moduleWeight(baseIndex, m);
      const wr = moduleWeight(residualIndex, m);
      const s = alpha / r;
      let worst = 0;
      let scale = 0;
      for (let i = 0; i < m.dOut; i++) {
        for (let j = 0; j < m.dIn; j++) {
          let ba = 0;
          for (let k = 0; k < r; k++) ba += b0[i * r + k] * a0[k * m.dIn + j];
          worst = Math.max(worst, Math.abs(w.data[i * m.dIn + j] - wr.data[i * m.dIn + j] - s * ba));
          scale = Math.max(scale, Math.abs(w.data[i * m.dIn + j]));
        }
      }
      assert.ok(worst <= 1e-6 * scale, `${m.peftName}: ${worst.toExponential(2)}`);
    }
  });

  it('is deterministic given the seed', async () => {
    for (const name of ['thanora', 'lora'] as const) {
      const again = await initOf(model, modules, name);
      for (const [key, v] of inits.get(name)!.values) assert.deepStrictEqual(again.values.get(key), v, `${name} ${key}`);
    }
  });

  it('previewing one layer per pass (a tiny memory budget) gives the same initialization as one pass', async () => {
    const split = await initializeMethod({ model, modules, lora: { r, alpha }, method: methodConfig(), tasks: ['narrow', 'wide'], seed: 7, preview, device: 'cpu', threads: 1, previewMemoryBytes: 1 });
    for (const [key, v] of inits.get('thanora')!.values) assert.deepStrictEqual(split.values.get(key), v, key);
  });

  it("uniform τ splits the task budget equally; 'layer' allocation gives one split per layer", async () => {
    const uniform = await initOf(model, modules, 'thanora', { temperature: 'uniform' });
    for (const m of modules) assert.deepStrictEqual(uniform.blocks[m.peftName].taskRanks, [3, 3], m.peftName);
    const layer = await initOf(model, modules, 'thanora', { allocation: 'layer', temperature: 0.01 });
    for (const l of [0, 1]) {
      const splits = modules.filter((m) => m.peftName.includes(`layers.${l}.`)).map((m) => layer.blocks[m.peftName].taskRanks.join(','));
      assert.strictEqual(new Set(splits).size, 1, `layer ${l}: ${splits}`);
    }
  });

  it('rejects a rank above min(d_in, d_out) and missing preview batches with a message that says what to change', async () => {
    await assert.rejects(initializeMethod({ model, modules, lora: { r: 65, alpha }, method: methodConfig({ name: 'pissa' }), tasks: ['a'], seed: 0 }), /lora.r = 65 exceeds min\(d_in, d_out\) = 64/);
    await assert.rejects(initializeMethod({ model, modules, lora: { r, alpha }, method: methodConfig(), tasks: ['a', 'b'], seed: 0 }), /needs preview batches for each of the 2 tasks/);
  });
});

describe('method/method-init on tiny-llama-named (weights stored out_in)', function () {
  this.timeout(120000);
  it('thanora: step-0 logits equal the base model (atol 1e-5)', async () => {
    const dir = path.join(fixtures, 'tiny-llama-named');
    const model = readModelFile(path.join(dir, 'model.onnx'));
    const modules = resolveTargets(model, readPeftAdapter(dir).config.module_map as never);
    assert.ok(modules.every((m) => m.stored === 'out_in'));
    const init = await initOf(model, modules, 'thanora');
    const diff = await stepZeroDiff(model, modules, init);
    assert.ok(diff <= 1e-5, `max |Δlogits| = ${diff.toExponential(2)}`);
  });
});
