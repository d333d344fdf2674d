import * as assert from 'assert';
import * as ort from 'onnxruntime-node';
import { buildGradientGraph } from '../../../../../src/core/autodiff/build-gradient-graph';
import { GradientError } from '../../../../../src/core/autodiff/grad-context';
import { makeNode } from '../../../../../src/core/onnx/attributes';
import { encodeModel } from '../../../../../src/core/onnx/model-codec';
import { makeTensor } from '../../../../../src/core/onnx/tensor-data';
import { DataType, ModelProto } from '../../../../../src/core/onnx/types';
import { probeTensorInfo } from '../../../../../src/core/runtime/probe-tensor-info';
import { gradcheck } from '../../../../support/gradcheck';

const n = 64;
const ratio = 0.25;

/** L = Σ Dropout(x, ratio, training_mode = true) ⊙ r in float64, with or without the mask output. */
function trainingDropoutModel(withMask: boolean): ModelProto {
  return {
    irVersion: 8,
    opsetImports: [{ domain: '', version: 17 }],
    graph: {
      name: 'dropout',
      nodes: [
        makeNode('Dropout', ['x', 'ratio', 'training'], withMask ? ['y', 'mask'] : ['y'], 'drop', { seed: 7 }),
        makeNode('Mul', ['y', 'r'], ['weighted'], 'weight'),
        makeNode('ReduceSum', ['weighted'], ['loss'], 'sum', { keepdims: 0 }),
      ],
      initializers: [
        makeTensor('ratio', [], DataType.FLOAT, [ratio]),
        makeTensor('training', [], DataType.BOOL, [1]),
        makeTensor('r', [n], DataType.DOUBLE, Array.from({ length: n }, (_, k) => 1 + k / 8)),
      ],
      inputs: [{ name: 'x', elemType: DataType.DOUBLE, shape: [{ value: n }] }],
      outputs: [{ name: 'loss' }],
      valueInfo: [],
    },
    metadata: [],
  };
}

const xFeed = () => ({ x: new ort.Tensor('float64', Float64Array.from({ length: n }, (_, k) => Math.sin(k) + 2), [n]) });

describe('Dropout gradient', () => {
  // Tolerance: relative 1e-6 (float64 finite differences, ε = 1e-6).
  it('inference (no training_mode input) is the identity', () =>
    gradcheck({ op: 'Dropout', inputs: [{ shape: [2, 3] }, { shape: [], values: [0.3], constant: true }] }));
  it('training_mode = false with a mask output', () =>
    gradcheck({
      op: 'Dropout',
      outputs: 2,
      inputs: [{ shape: [2, 3] }, { shape: [], values: [0.3], constant: true }, { shape: [], dtype: 'bool', values: [0], constant: true }],
    }));
  it('opset 10 (ratio attribute, inference only)', () =>
    gradcheck({ op: 'Dropout', opset: 10, inputs: [{ shape: [2, 3] }], attrs: { ratio: { float: 0.3 } } }));

  // Exact (float64, one run): the random mask cannot be replayed by finite differences, so check
  // dL/dx = r ⊙ mask / (1 − ratio) against the mask of the same run, and that Y agrees with that scale.
  it('training_mode = true uses the mask and the 1/(1 − ratio) scale', async () => {
    const model = trainingDropoutModel(true);
    const feeds = xFeed();
    const infos = await probeTensorInfo(model, feeds);
    const { model: gradModel, gradOutputs } = buildGradientGraph({ model, loss: 'loss', trainable: ['x'], extraOutputs: ['y', 'mask'], infos });
    const session = await ort.InferenceSession.create(encodeModel(gradModel));
    const out = await session.run(feeds);
    await session.release();
    const mask = Array.from(out.mask.data as Uint8Array);
    assert.ok(mask.includes(0) && mask.includes(1), 'with 64 elements and ratio 0.25 the mask should keep some and drop some');
    const scale = 1 / (1 - ratio);
    const x = feeds.x.data as Float64Array;
    const y = out.y.data as Float64Array;
    const dx = out[gradOutputs.get('x')!].data as Float64Array;
    for (let k = 0; k < n; k++) {
      assert.ok(Math.abs(y[k] - x[k] * mask[k] * scale) < 1e-12, `Y[${k}] does not match X ⊙ mask / (1 − ratio)`);
      assert.ok(Math.abs(dx[k] - (1 + k / 8) * mask[k] * scale) < 1e-12, `dX[${k}] = ${dx[k]}, expected r ⊙ mask / (1 − ratio)`);
    }
  });

  it('training_mode without a mask output is refused with a fix', async () => {
    const model = trainingDropoutModel(false);
    const infos = await probeTensorInfo(model, xFeed());
    assert.throws(
      () => buildGradientGraph({ model, loss: 'loss', trainable: ['x'], infos }),
      (e: Error) => e instanceof GradientError && /'drop'.*no mask output.*eval mode/.test(e.message),
    );
  });
});
