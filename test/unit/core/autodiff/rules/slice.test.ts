import * as assert from 'assert';
import * as ort from 'onnxruntime-node';
import { buildGradientGraph } from '../../../../../src/core/autodiff/build-gradient-graph';
import { makeNode } from '../../../../../src/core/onnx/attributes';
import { encodeModel } from '../../../../../src/core/onnx/model-codec';
import { makeTensor } from '../../../../../src/core/onnx/tensor-data';
import { DataType, ModelProto } from '../../../../../src/core/onnx/types';
import { probeTensorInfo } from '../../../../../src/core/runtime/probe-tensor-info';
import { gradcheck } from '../../../../support/gradcheck';

const ints = (values: number[]) => ({ shape: [values.length], dtype: 'int64' as const, values, constant: true });
const slice = (shape: number[], starts: number[], ends: number[], axes?: number[], steps?: number[]) => ({
  op: 'Slice',
  inputs: [
    { shape },
    ints(starts),
    ints(ends),
    ...(axes ? [ints(axes)] : steps ? [{ shape: [0], omitted: true }] : []),
    ...(steps ? [ints(steps)] : []),
  ],
});

// Tolerance: relative 1e-6 (float64 finite differences, ε = 1e-6).
describe('Slice gradient', () => {
  it('unit steps, default axes', () => gradcheck(slice([4, 5], [1, 0], [3, 4])));
  it('negative starts/ends and a negative axis', () => gradcheck(slice([3, 6], [-4], [-1], [-1])));
  it('ends past the end and starts before the start are clamped', () => gradcheck(slice([3, 4], [-100, 1], [1000, 1000], [1, 0])));
  it('middle axis of 3-D (rotary half split)', () => gradcheck(slice([2, 6, 3], [3], [6], [1], [1])));
  it('step 2', () => gradcheck(slice([7, 2], [1], [1000], [0], [2])));
  it('step −1 reverses', () => gradcheck(slice([2, 5], [-1], [-1000], [1], [-1])));
  it('step −2 from a clamped start', () => gradcheck(slice([6, 2], [100], [0], [0], [-2])));
  it('mixed: unit step on one axis, step 3 on another', () => gradcheck(slice([4, 7, 2], [1, -6], [-1, 7], [0, 1], [1, 3])));
  it('steps given as an input that is not a constant fail with a named error', () =>
    assert.rejects(
      gradcheck({
        op: 'Slice',
        inputs: [{ shape: [4] }, ints([0]), ints([4]), ints([0]), { shape: [1], dtype: 'int64', values: [2] }],
      }),
      /steps come from 'x4', which is not a constant/,
    ));
});

// The gradient graph is built from a probe at seq = 4 and run at seq = 6, so pads and positions must come
// from Shape at run time. Oracle by hand: L = Σ Y ⇒ dX is 1 on the sliced positions, 0 elsewhere (exact).
describe('Slice gradient on a dynamic axis', () => {
  const cases: { name: string; starts: number; ends: number; step: number; expectedRow: number[] }[] = [
    { name: 'last three (start −3)', starts: -3, ends: 1000, step: 1, expectedRow: [0, 0, 0, 1, 1, 1] },
    { name: 'every second from the end (start −1, step −2)', starts: -1, ends: -1000, step: -2, expectedRow: [0, 1, 0, 1, 0, 1] },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const model: ModelProto = {
        irVersion: 8,
        opsetImports: [{ domain: '', version: 17 }],
        graph: {
          name: 'slice-dynamic',
          nodes: [
            makeNode('Slice', ['x', 'starts', 'ends', 'axes', 'steps'], ['y'], 'slice'),
            makeNode('ReduceSum', ['y'], ['loss'], 'sum', { keepdims: 0 }),
          ],
          initializers: [
            makeTensor('starts', [1], DataType.INT64, [c.starts]),
            makeTensor('ends', [1], DataType.INT64, [c.ends]),
            makeTensor('axes', [1], DataType.INT64, [1]),
            makeTensor('steps', [1], DataType.INT64, [c.step]),
          ],
          inputs: [{ name: 'x', elemType: DataType.DOUBLE, shape: [{ value: 2 }, { param: 'seq' }] }],
          outputs: [{ name: 'loss', elemType: DataType.DOUBLE, shape: [] }],
          valueInfo: [],
        },
        metadata: [],
      };
      const xOf = (seq: number) => ({ x: new ort.Tensor('float64', new Float64Array(2 * seq).fill(0.5), [2, seq]) });
      const infos = await probeTensorInfo(model, xOf(4));
      const { model: gradModel, gradOutputs } = buildGradientGraph({ model, loss: 'loss', trainable: ['x'], infos });
      const session = await ort.InferenceSession.create(encodeModel(gradModel));
      const dx = Array.from((await session.run(xOf(6)))[gradOutputs.get('x')!].data as Float64Array);
      await session.release();
      assert.deepStrictEqual(dx, [...c.expectedRow, ...c.expectedRow]);
    });
  }
});
