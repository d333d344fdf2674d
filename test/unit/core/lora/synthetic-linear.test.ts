// Linear layouts the fixtures do not cover: Gemm with transB=0, weights behind Identity and Transpose,
// a float64 model with float32 adapters (Cast). Oracle: y + s·x·Aᵀ·Bᵀ computed here in float64.
import * as assert from 'assert';
import * as ort from 'onnxruntime-node';
import { injectLora } from '../../../../src/core/lora/inject-lora';
import { resolveTargets } from '../../../../src/core/lora/resolve-targets';
import { makeNode } from '../../../../src/core/onnx/attributes';
import { encodeModel } from '../../../../src/core/onnx/model-codec';
import { makeTensor } from '../../../../src/core/onnx/tensor-data';
import { DataType, ModelProto, NodeProto, TensorProto, ValueInfo } from '../../../../src/core/onnx/types';

function tinyModel(nodes: NodeProto[], initializers: TensorProto[], inputs: ValueInfo[], outputs: ValueInfo[]): ModelProto {
  return {
    irVersion: 8,
    opsetImports: [{ domain: '', version: 17 }],
    graph: { name: 'synthetic', nodes, initializers, inputs, outputs, valueInfo: [] },
    metadata: [],
  };
}

const info = (name: string, elemType: DataType, dims: number[]): ValueInfo => ({ name, elemType, shape: dims.map((value) => ({ value })) });
const seq = (n: number, f: (i: number) => number) => Array.from({ length: n }, (_, i) => f(i));

// y[i,o] = Σ_k x[i,k]·W(k,o) + s·Σ_j (Σ_k x[i,k]·A[j,k])·B[o,j], rows of x flattened.
function loraOracle(x: number[], w: (k: number, o: number) => number, a: number[], b: number[], dims: { rows: number; dIn: number; dOut: number; r: number; s: number }): number[] {
  const { rows, dIn, dOut, r, s } = dims;
  const y: number[] = [];
  for (let i = 0; i < rows; i++) {
    const h = seq(r, (j) => seq(dIn, (k) => x[i * dIn + k] * a[j * dIn + k]).reduce((p, q) => p + q, 0));
    for (let o = 0; o < dOut; o++) {
      let v = 0;
      for (let k = 0; k < dIn; k++) v += x[i * dIn + k] * w(k, o);
      for (let j = 0; j < r; j++) v += s * h[j] * b[o * r + j];
      y.push(v);
    }
  }
  return y;
}

function maxRelDiff(actual: ArrayLike<number>, expected: number[]): number {
  let diff = 0;
  let scale = 0;
  expected.forEach((e, i) => {
    diff = Math.max(diff, Math.abs(actual[i] - e));
    scale = Math.max(scale, Math.abs(e));
  });
  return diff / scale;
}

async function run(model: ModelProto, feeds: Record<string, ort.Tensor>): Promise<ort.Tensor> {
  const session = await ort.InferenceSession.create(encodeModel(model), { executionProviders: ['cpu'] });
  try {
    return (await session.run(feeds))[session.outputNames[0]];
  } finally {
    await session.release();
  }
}

describe('synthetic linear layouts', () => {
  const dIn = 3;
  const dOut = 4;
  const r = 2;
  const x = seq(2 * dIn, (i) => Math.sin(i + 1));
  const w = seq(dIn * dOut, (i) => Math.cos(0.7 * i));
  const a = seq(r * dIn, (i) => 0.3 * i - 0.5);
  const b = seq(dOut * r, (i) => 0.2 * i - 0.4);

  it('Gemm transB=0 with the weight behind Identity and a named bias: in_out, named after the bias', async () => {
    const model = tinyModel(
      [makeNode('Identity', ['W'], ['W_alias'], 'alias'), makeNode('Gemm', ['x', 'W_alias', 'fc.bias'], ['y'], '/fc/Gemm', { transB: 0 })],
      [makeTensor('W', [dIn, dOut], DataType.FLOAT, w), makeTensor('fc.bias', [dOut], DataType.FLOAT, [0, 0, 0, 0])],
      [info('x', DataType.FLOAT, [2, dIn])],
      [info('y', DataType.FLOAT, [2, dOut])],
    );
    assert.throws(() => resolveTargets(model, 'all-linear'), /matched no linear module/, 'a graph-output layer is the head');
    const [m] = resolveTargets(model, 'all-linear', { includeOutputHead: true });
    assert.deepStrictEqual([m.peftName, m.op, m.initializer, m.stored, m.dIn, m.dOut], ['fc', 'Gemm', 'W', 'in_out', dIn, dOut]);
    const { model: injected, adapters } = injectLora(model, [m], { rank: r, alpha: 3 });
    const y = await run(injected, {
      x: new ort.Tensor('float32', Float32Array.from(x), [2, dIn]),
      [adapters[0].aInput]: new ort.Tensor('float32', Float32Array.from(a), [r, dIn]),
      [adapters[0].bInput]: new ort.Tensor('float32', Float32Array.from(b), [dOut, r]),
    });
    const expected = loraOracle(x, (k, o) => Math.fround(w[k * dOut + o]), a, b, { rows: 2, dIn, dOut, r, s: 3 / r });
    // Tolerance: 1e-5 relative (float32 arithmetic).
    assert.ok(maxRelDiff(y.data as Float32Array, expected) < 1e-5);
  });

  it('Gemm transB=1 reading Transpose(W[in,out]) is in_out (two flips)', () => {
    const model = tinyModel(
      [makeNode('Transpose', ['W'], ['Wt'], 't', { perm: [1, 0] }), makeNode('Gemm', ['x', 'Wt'], ['h'], 'g', { transB: 1 }), makeNode('Relu', ['h'], ['y'], 'relu')],
      [makeTensor('W', [dIn, dOut], DataType.FLOAT, w)],
      [info('x', DataType.FLOAT, [2, dIn])],
      [info('y', DataType.FLOAT, [2, dOut])],
    );
    const [m] = resolveTargets(model, 'all-linear');
    assert.deepStrictEqual([m.peftName, m.stored, m.dIn, m.dOut], ['g', 'in_out', dIn, dOut]);
  });

  it('float64 model, float32 adapters: MatMul(x, Transpose(W[out,in])) with Cast A/B', async () => {
    const model = tinyModel(
      [
        makeNode('Transpose', ['proj.weight'], ['Wt'], '/proj/Transpose', { perm: [1, 0] }),
        makeNode('MatMul', ['x', 'Wt'], ['h'], '/proj/MatMul'),
        makeNode('Relu', ['h'], ['y'], '/act/Relu'),
      ],
      [makeTensor('proj.weight', [dOut, dIn], DataType.DOUBLE, w)],
      [info('x', DataType.DOUBLE, [1, 2, dIn])],
      [info('y', DataType.DOUBLE, [1, 2, dOut])],
    );
    const [m] = resolveTargets(model, ['proj']);
    assert.deepStrictEqual([m.peftName, m.stored, m.dtype], ['proj', 'out_in', DataType.DOUBLE]);
    const { model: injected, adapters } = injectLora(model, [m], { rank: r, alpha: 5, dtype: DataType.FLOAT });
    assert.strictEqual(adapters[0].dtype, DataType.FLOAT);
    const y = await run(injected, {
      x: new ort.Tensor('float64', Float64Array.from(x), [1, 2, dIn]),
      [adapters[0].aInput]: new ort.Tensor('float32', Float32Array.from(a), [r, dIn]),
      [adapters[0].bInput]: new ort.Tensor('float32', Float32Array.from(b), [dOut, r]),
    });
    const pre = loraOracle(x, (k, o) => w[o * dIn + k], a.map(Math.fround), b.map(Math.fround), { rows: 2, dIn, dOut, r, s: 5 / r });
    // Tolerance: 1e-12 relative (float64 arithmetic; A and B are exact float32 values).
    assert.ok(maxRelDiff(y.data as Float64Array, pre.map((v) => Math.max(v, 0))) < 1e-12);
  });
});
