import * as assert from 'assert';
import * as ort from 'onnxruntime-node';
import { buildGradientGraph } from '../../../../../src/core/autodiff/build-gradient-graph';
import { makeNode } from '../../../../../src/core/onnx/attributes';
import { encodeModel } from '../../../../../src/core/onnx/model-codec';
import { DataType, ModelProto } from '../../../../../src/core/onnx/types';
import { probeTensorInfo } from '../../../../../src/core/runtime/probe-tensor-info';
import { dataTypeOfOrt } from '../../../../../src/core/runtime/ort-tensors';
import { gradcheck } from '../../../../support/gradcheck';

/** dL/dx for L = Σ Cast(x, to) ⊙ r, from the gradient graph (gradcheck perturbs in one float type only). */
async function castGradient(x: ort.Tensor, to: DataType, r: ort.Tensor): Promise<ort.Tensor> {
  const feeds = { x, r };
  const model: ModelProto = {
    irVersion: 8,
    opsetImports: [{ domain: '', version: 17 }],
    graph: {
      name: 'cast',
      nodes: [
        makeNode('Cast', ['x'], ['y'], 'cast', { to }),
        makeNode('Mul', ['y', 'r'], ['weighted'], 'weight'),
        makeNode('ReduceSum', ['weighted'], ['loss'], 'sum', { keepdims: 0 }),
      ],
      initializers: [],
      inputs: Object.entries(feeds).map(([name, t]) => ({ name, elemType: dataTypeOfOrt(t.type), shape: t.dims.map((value) => ({ value })) })),
      outputs: [{ name: 'loss' }],
      valueInfo: [],
    },
    metadata: [],
  };
  const infos = await probeTensorInfo(model, feeds);
  const { model: gradModel, gradOutputs } = buildGradientGraph({ model, loss: 'loss', trainable: ['x'], infos });
  const session = await ort.InferenceSession.create(encodeModel(gradModel));
  const out = await session.run(feeds);
  await session.release();
  return out[gradOutputs.get('x')!];
}

const weights = [0.1, -2.5, 3.3333333333, 1e-3, 7, -0.7];

describe('Cast gradient', () => {
  // Tolerance: relative 1e-3 (float32 finite differences, ε = 1e-2; observed ≤ 4e-5).
  it('float32 → float32 (no-op cast)', () => gradcheck({ op: 'Cast', kind: 'float', tol: 1e-3, inputs: [{ shape: [2, 3] }], attrs: { to: DataType.FLOAT } }));
  // Exact: dL/dx = r, cast back to x's type (float32 r widens to float64 exactly).
  it('float64 → float32: the gradient comes back as float64', async () => {
    const x = new ort.Tensor('float64', Float64Array.from([1, 2, 3, 4, 5, 6]), [2, 3]);
    const g = await castGradient(x, DataType.FLOAT, new ort.Tensor('float32', Float32Array.from(weights), [2, 3]));
    assert.strictEqual(g.type, 'float64');
    assert.deepStrictEqual(Array.from(g.data as Float64Array), weights.map(Math.fround));
  });
  // Exact: dL/dx = r rounded to float32.
  it('float32 → float64: the gradient comes back as float32', async () => {
    const x = new ort.Tensor('float32', Float32Array.from([1, 2, 3, 4, 5, 6]), [2, 3]);
    const g = await castGradient(x, DataType.DOUBLE, new ort.Tensor('float64', Float64Array.from(weights), [2, 3]));
    assert.strictEqual(g.type, 'float32');
    assert.deepStrictEqual(Array.from(g.data as Float32Array), weights.map(Math.fround));
  });
});
