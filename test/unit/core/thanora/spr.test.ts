import * as assert from 'assert';
import * as ort from 'onnxruntime-node';
import { buildGradientGraph } from '../../../../src/core/autodiff/build-gradient-graph';
import { Matrix, fromRows, zeros } from '../../../../src/core/linalg/matrix';
import { randomNormalMatrix, seededRng } from '../../../../src/core/linalg/random';
import { encodeModel } from '../../../../src/core/onnx/model-codec';
import { DataType, ModelProto } from '../../../../src/core/onnx/types';
import { probeTensorInfo } from '../../../../src/core/runtime/probe-tensor-info';
import { blockMapFor } from '../../../../src/core/thanora/block-map';
import { SprModule, SprSides, sprLoss } from '../../../../src/core/thanora/spr';
import { appendSprLoss } from '../../../../src/core/thanora/spr-graph';

// Two modules, three tasks (ranks 2, 1, 3) plus a cooperative block of 2 whose B is zero, as at step 0.
function randomModules(seed: number): SprModule[] {
  const rng = seededRng(seed);
  return [
    { dIn: 6, dOut: 5 },
    { dIn: 4, dOut: 7 },
  ].map(({ dIn, dOut }) => {
    const blocks = blockMapFor([2, 1, 3], 2);
    const b = randomNormalMatrix(dOut, 8, rng);
    for (let i = 0; i < dOut; i++) for (let j = 6; j < 8; j++) b.data[i * 8 + j] = 0;
    return { a: randomNormalMatrix(8, dIn, rng), b, blocks };
  });
}

describe('thanora/spr (JS oracle)', () => {
  // Tolerance: 1e-7 (the 1e-8 added to each norm perturbs the hand value by ~1e-8).
  it('hand-derived value: Â_1 = e1, Â_2 = (1,1)/√2 ⇒ ‖Â_1·Â_2ᵀ‖² = 1/2; orthogonal B columns add 0', () => {
    const m: SprModule = { a: fromRows([[1, 0], [1, 1]]), b: fromRows([[1, 0], [0, 3]]), blocks: blockMapFor([1, 1], 0) };
    assert.ok(Math.abs(sprLoss([m]).value - 0.5) < 1e-7);
    assert.ok(Math.abs(sprLoss([m], 'B').value) < 1e-15);
  });
  it('L_SPR = 0 and ∇L_SPR = 0 exactly when the task blocks are orthogonal', () => {
    const rng = seededRng(41);
    const a = zeros(5, 6);
    const b = zeros(7, 5);
    // Task 0 uses input axes 0–1 / output axes 0–1, task 1 axes 2–4; the cooperative row is dense.
    [[0, 0], [0, 1], [1, 0], [1, 1], [2, 2], [2, 3], [3, 4], [3, 2]].forEach(([i, j]) => (a.data[i * 6 + j] = 1 + rng()));
    for (let j = 0; j < 6; j++) a.data[4 * 6 + j] = rng();
    [[0, 0], [1, 0], [0, 1], [2, 2], [3, 3], [4, 2]].forEach(([i, j]) => (b.data[i * 5 + j] = 1 + rng()));
    const r = sprLoss([{ a, b, blocks: blockMapFor([2, 2], 1) }]);
    assert.strictEqual(r.value, 0);
    assert.ok(r.gradA[0].data.every((v) => v === 0) && r.gradB[0].data.every((v) => v === 0));
  });
  // Tolerance: relative 1e-6 (float64 central differences, ε = 1e-6).
  it('gradient matches central finite differences, zero on the cooperative block', () => {
    const modules = randomModules(42);
    for (const sides of ['both', 'A', 'B'] as SprSides[]) {
      const r = sprLoss(modules, sides);
      let maxError = 0;
      let maxGrad = 0;
      modules.forEach((m, k) => {
        for (const [x, g] of [[m.a, r.gradA[k]], [m.b, r.gradB[k]]] as [Matrix, Matrix][]) {
          for (let i = 0; i < x.data.length; i++) {
            const keep = x.data[i];
            x.data[i] = keep + 1e-6;
            const up = sprLoss(modules, sides).value;
            x.data[i] = keep - 1e-6;
            const down = sprLoss(modules, sides).value;
            x.data[i] = keep;
            const numeric = (up - down) / 2e-6;
            maxError = Math.max(maxError, Math.abs(numeric - g.data[i]));
            maxGrad = Math.max(maxGrad, Math.abs(numeric));
          }
        }
        for (let i = 0; i < m.a.rows; i++) if (i >= 6) for (let j = 0; j < m.a.cols; j++) assert.strictEqual(r.gradA[k].data[i * m.a.cols + j], 0);
      });
      assert.ok(maxGrad > 0 && maxError / maxGrad < 1e-6, `${sides}: relative error ${maxError / maxGrad}`);
    }
  });
});

function sprModel(modules: SprModule[], kind: 'double' | 'float', opset: number, sides: SprSides): { model: ModelProto; loss: string; feeds: Record<string, ort.Tensor> } {
  const dtype = kind === 'double' ? DataType.DOUBLE : DataType.FLOAT;
  const feeds: Record<string, ort.Tensor> = {};
  const inputs = modules.flatMap((m, k) =>
    [
      [`m${k}.lora_A`, m.a],
      [`m${k}.lora_B`, m.b],
    ].map(([name, x]) => {
      const mat = x as Matrix;
      feeds[name as string] = new ort.Tensor(kind === 'double' ? 'float64' : 'float32', kind === 'double' ? Float64Array.from(mat.data) : Float32Array.from(mat.data), [mat.rows, mat.cols]);
      return { name: name as string, elemType: dtype, shape: [{ value: mat.rows }, { value: mat.cols }] };
    }),
  );
  const base: ModelProto = {
    irVersion: 8,
    opsetImports: [{ domain: '', version: opset }],
    graph: { name: 'spr', nodes: [], initializers: [], inputs, outputs: [], valueInfo: [] },
    metadata: [],
  };
  const specs = modules.map((m, k) => ({ name: `m${k}`, aInput: `m${k}.lora_A`, bInput: `m${k}.lora_B`, blocks: m.blocks }));
  const { model, loss } = appendSprLoss(base, specs, { sides, dtype });
  model.graph.outputs = [{ name: loss, elemType: dtype, shape: [] }];
  return { model, loss, feeds };
}

// In-graph SPR against the JS oracle: value and gradient (buildGradientGraph over Slice, ReduceSumSquare, Sqrt,
// Add, Div, Transpose, MatMul, Mul, Sum). Tolerance: relative 1e-10 in float64, 1e-4 in float32.
describe('thanora/spr-graph (ONNX Runtime)', () => {
  const cases: { kind: 'double' | 'float'; opset: number; sides: SprSides; tol: number }[] = [
    { kind: 'double', opset: 17, sides: 'both', tol: 1e-10 },
    { kind: 'double', opset: 18, sides: 'both', tol: 1e-10 },
    { kind: 'double', opset: 17, sides: 'A', tol: 1e-10 },
    { kind: 'double', opset: 17, sides: 'B', tol: 1e-10 },
    { kind: 'float', opset: 17, sides: 'both', tol: 1e-4 },
  ];
  for (const c of cases) {
    it(`${c.kind}, opset ${c.opset}, sides '${c.sides}': value and gradient equal the JS SPR`, async () => {
      const modules = randomModules(43);
      const oracle = sprLoss(modules, c.sides);
      const { model, loss, feeds } = sprModel(modules, c.kind, c.opset, c.sides);
      const trainable = Object.keys(feeds);
      const infos = await probeTensorInfo(model, feeds);
      const { model: gradModel, gradOutputs } = buildGradientGraph({ model, loss, trainable, infos });
      const session = await ort.InferenceSession.create(encodeModel(gradModel));
      const out = await session.run(feeds);
      await session.release();
      const value = Number(out[loss].data[0]);
      assert.ok(Math.abs(value - oracle.value) <= c.tol * Math.abs(oracle.value), `value ${value} vs ${oracle.value}`);
      const scaleOf = Math.max(...[...oracle.gradA, ...oracle.gradB].flatMap((g) => Array.from(g.data, Math.abs)));
      modules.forEach((_, k) => {
        for (const [name, g] of [[`m${k}.lora_A`, oracle.gradA[k]], [`m${k}.lora_B`, oracle.gradB[k]]] as [string, Matrix][]) {
          const got = out[gradOutputs.get(name)!].data as Float64Array | Float32Array;
          for (let i = 0; i < g.data.length; i++) {
            assert.ok(Math.abs(got[i] - g.data[i]) <= c.tol * scaleOf, `${name}[${i}]: ${got[i]} vs ${g.data[i]}`);
          }
        }
      });
    });
  }

  // Tolerance: relative 1e-6 between the graph gradient and central differences of the graph's own forward
  // value (float64, ε = 1e-6), on a sample of entries of every input.
  it('graph gradient matches finite differences of the graph forward (float64)', async () => {
    const modules = randomModules(44);
    const { model, loss, feeds } = sprModel(modules, 'double', 17, 'both');
    const infos = await probeTensorInfo(model, feeds);
    const { model: gradModel, gradOutputs } = buildGradientGraph({ model, loss, trainable: Object.keys(feeds), infos });
    const gradSession = await ort.InferenceSession.create(encodeModel(gradModel));
    const forward = await ort.InferenceSession.create(encodeModel(model));
    const analytic = await gradSession.run(feeds);
    let maxError = 0;
    let maxGrad = 0;
    for (const name of Object.keys(feeds)) {
      const values = feeds[name].data as Float64Array;
      for (let i = 0; i < values.length; i += 3) {
        const at = async (delta: number) => {
          const v = Float64Array.from(values);
          v[i] += delta;
          const out = await forward.run({ ...feeds, [name]: new ort.Tensor('float64', v, feeds[name].dims as number[]) });
          return Number(out[loss].data[0]);
        };
        const numeric = ((await at(1e-6)) - (await at(-1e-6))) / 2e-6;
        const got = Number((analytic[gradOutputs.get(name)!].data as Float64Array)[i]);
        maxError = Math.max(maxError, Math.abs(numeric - got));
        maxGrad = Math.max(maxGrad, Math.abs(numeric));
      }
    }
    await gradSession.release();
    await forward.release();
    assert.ok(maxGrad > 0 && maxError / maxGrad < 1e-6, `relative error ${maxError / maxGrad}`);
  });

  // Orthogonal task blocks in the graph: L = 0 and every gradient entry 0 (tolerance 1e-12 absolute, float64).
  it('graph L_SPR and its gradient vanish for orthogonal task blocks', async () => {
    const a = fromRows([[1, 0, 0], [0, 2, 0], [0, 0, 3], [0.5, 0.5, 0.5]]);
    const b = fromRows([[1, 0, 0, 0], [0, 0, 2, 0], [0, 1, 0, 0]]);
    const modules: SprModule[] = [{ a, b, blocks: blockMapFor([1, 2], 1) }];
    const { model, loss, feeds } = sprModel(modules, 'double', 17, 'both');
    const infos = await probeTensorInfo(model, feeds);
    const { model: gradModel, gradOutputs } = buildGradientGraph({ model, loss, trainable: Object.keys(feeds), infos });
    const session = await ort.InferenceSession.create(encodeModel(gradModel));
    const out = await session.run(feeds);
    await session.release();
    assert.ok(Math.abs(Number(out[loss].data[0])) < 1e-12);
    for (const name of Object.keys(feeds)) for (const v of out[gradOutputs.get(name)!].data as Float64Array) assert.ok(Math.abs(v) < 1e-12, name);
  });

  it('a model with a single task per module is refused with a pointer to lambda = 0', () => {
    const m = { name: 'm', aInput: 'a', bInput: 'b', blocks: blockMapFor([4], 2) };
    const base: ModelProto = { irVersion: 8, opsetImports: [{ domain: '', version: 17 }], graph: { name: 'g', nodes: [], initializers: [], inputs: [], outputs: [], valueInfo: [] }, metadata: [] };
    assert.throws(() => appendSprLoss(base, [m]), /lambda = 0/);
  });
});
