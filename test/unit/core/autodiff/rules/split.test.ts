import * as assert from 'assert';
import * as ort from 'onnxruntime-node';
import { buildGradientGraph } from '../../../../../src/core/autodiff/build-gradient-graph';
import { makeNode } from '../../../../../src/core/onnx/attributes';
import { encodeModel } from '../../../../../src/core/onnx/model-codec';
import { makeTensor } from '../../../../../src/core/onnx/tensor-data';
import { DataType, ModelProto } from '../../../../../src/core/onnx/types';
import { probeTensorInfo } from '../../../../../src/core/runtime/probe-tensor-info';
import { gradcheck } from '../../../../support/gradcheck';

const sizes = (values: number[]) => ({ shape: [values.length], dtype: 'int64' as const, values, constant: true });

// Tolerance: relative 1e-6 (float64 finite differences, ε = 1e-6).
describe('Split gradient', () => {
  it('split sizes as input (opset 13+), negative axis', () =>
    gradcheck({ op: 'Split', inputs: [{ shape: [2, 4] }, sizes([1, 3])], attrs: { axis: -1 }, outputs: 2 }));
  it('split sizes as attribute (opset 11)', () =>
    gradcheck({ op: 'Split', opset: 11, inputs: [{ shape: [5, 2] }], attrs: { axis: 0, split: [2, 3] }, outputs: 2 }));
  it('equal parts without sizes', () => gradcheck({ op: 'Split', inputs: [{ shape: [2, 6] }], attrs: { axis: 1 }, outputs: 3 }));
  it('num_outputs with an uneven last part (opset 18)', () =>
    gradcheck({ op: 'Split', opset: 18, inputs: [{ shape: [7, 2] }], attrs: { axis: 0, num_outputs: 3 }, outputs: 3 }));

  // Oracle by hand: L = Σ y1 ⊙ R with y0 unused ⇒ dX = [0 | R] (exact, compared with tolerance 0).
  it('an output nothing consumes contributes zeros', async () => {
    const r = [1, 2, 3, 4, 5, 6];
    const model: ModelProto = {
      irVersion: 8,
      opsetImports: [{ domain: '', version: 17 }],
      graph: {
        name: 'split-unused',
        nodes: [
          makeNode('Split', ['x', 'sizes'], ['y0', 'y1'], 'split', { axis: 1 }),
          makeNode('Mul', ['y1', 'r'], ['weighted'], 'weight'),
          makeNode('ReduceSum', ['weighted'], ['loss'], 'sum', { keepdims: 0 }),
        ],
        initializers: [makeTensor('sizes', [2], DataType.INT64, [2, 3]), makeTensor('r', [2, 3], DataType.DOUBLE, r)],
        inputs: [{ name: 'x', elemType: DataType.DOUBLE, shape: [{ value: 2 }, { value: 5 }] }],
        outputs: [{ name: 'loss', elemType: DataType.DOUBLE, shape: [] }],
        valueInfo: [],
      },
      metadata: [],
    };
    const feeds = { x: new ort.Tensor('float64', new Float64Array(10).map((_, i) => i / 10), [2, 5]) };
    const infos = await probeTensorInfo(model, feeds);
    const { model: gradModel, gradOutputs } = buildGradientGraph({ model, loss: 'loss', trainable: ['x'], infos });
    const session = await ort.InferenceSession.create(encodeModel(gradModel));
    const dx = Array.from((await session.run(feeds))[gradOutputs.get('x')!].data as Float64Array);
    await session.release();
    assert.deepStrictEqual(dx, [0, 0, 1, 2, 3, 0, 0, 4, 5, 6]);
  });
});
