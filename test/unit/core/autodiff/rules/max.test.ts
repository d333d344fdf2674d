import * as assert from 'assert';
import * as ort from 'onnxruntime-node';
import { buildGradientGraph } from '../../../../../src/core/autodiff/build-gradient-graph';
import { makeNode } from '../../../../../src/core/onnx/attributes';
import { encodeModel } from '../../../../../src/core/onnx/model-codec';
import { ModelProto } from '../../../../../src/core/onnx/types';
import { probeTensorInfo } from '../../../../../src/core/runtime/probe-tensor-info';
import { dataTypeOfOrt } from '../../../../../src/core/runtime/ort-tensors';
import { gradcheck } from '../../../../support/gradcheck';

/** dL/dX_i for L = Σ op(X_0, X_1, X_2) ⊙ R, from the gradient graph (no finite differences: ties have no derivative). */
async function tieGradients(op: string, xs: number[][], weights: number[]): Promise<number[][]> {
  const dims = [weights.length];
  const feeds: Record<string, ort.Tensor> = { r: new ort.Tensor('float64', Float64Array.from(weights), dims) };
  xs.forEach((x, i) => (feeds[`x${i}`] = new ort.Tensor('float64', Float64Array.from(x), dims)));
  const names = xs.map((_, i) => `x${i}`);
  const model: ModelProto = {
    irVersion: 8,
    opsetImports: [{ domain: '', version: 17 }],
    graph: {
      name: 'ties',
      nodes: [
        makeNode(op, names, ['y'], 'extremum'),
        makeNode('Mul', ['y', 'r'], ['weighted'], 'weight'),
        makeNode('ReduceSum', ['weighted'], ['loss'], 'sum', { keepdims: 0 }),
      ],
      initializers: [],
      inputs: Object.entries(feeds).map(([name, t]) => ({ name, elemType: dataTypeOfOrt(t.type), shape: dims.map((value) => ({ value })) })),
      outputs: [{ name: 'loss' }],
      valueInfo: [],
    },
    metadata: [],
  };
  const infos = await probeTensorInfo(model, feeds);
  const { model: gradModel, gradOutputs } = buildGradientGraph({ model, loss: 'loss', trainable: names, infos });
  const session = await ort.InferenceSession.create(encodeModel(gradModel));
  const out = await session.run(feeds);
  await session.release();
  return names.map((n) => Array.from(out[gradOutputs.get(n)!].data as Float64Array));
}

// Tolerance: relative 1e-6 (float64 finite differences, ε = 1e-6); random normal inputs have no ties.
describe('Max gradient', () => {
  it('two inputs, same shapes', () => gradcheck({ op: 'Max', inputs: [{ shape: [2, 3] }, { shape: [2, 3] }] }));
  it('three inputs with broadcast', () => gradcheck({ op: 'Max', inputs: [{ shape: [2, 3, 4] }, { shape: [4] }, { shape: [3, 1] }] }));
  it('single input', () => gradcheck({ op: 'Max', inputs: [{ shape: [2, 3] }] }));
  it('frozen first input: the gradient still skips elements it wins', () =>
    gradcheck({ op: 'Max', inputs: [{ shape: [2, 3], constant: true }, { shape: [3] }] }));
  // Exact: each tied element's gradient goes whole to the first tied input (lowest index).
  it('ties go to the first input', async () => {
    const grads = await tieGradients('Max', [[1, 2, 3, 0], [1, 5, 0, 0], [1, 0, 3, 0]], [1, 2, 3, 4]);
    assert.deepStrictEqual(grads, [[1, 0, 3, 4], [0, 2, 0, 0], [0, 0, 0, 0]]);
  });
});
