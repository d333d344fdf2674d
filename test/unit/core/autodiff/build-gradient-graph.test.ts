// The graph-level behaviour of reverse-mode autodiff: which nodes get a backward, what stays frozen, and
// what a user sees when an op has no gradient rule.
import * as assert from 'assert';
import * as ort from 'onnxruntime-node';
import { GradientError } from '../../../../src/core/autodiff/grad-context';
import { buildGradientGraph } from '../../../../src/core/autodiff/build-gradient-graph';
import { makeNode } from '../../../../src/core/onnx/attributes';
import { encodeModel } from '../../../../src/core/onnx/model-codec';
import { makeTensor } from '../../../../src/core/onnx/tensor-data';
import { DataType, ModelProto, NodeProto } from '../../../../src/core/onnx/types';
import { probeTensorInfo } from '../../../../src/core/runtime/probe-tensor-info';

const W = makeTensor('W', [3, 3], DataType.FLOAT, [0.5, -1, 2, 1, 0.25, -0.5, 3, 1, -2]);

function model(nodes: NodeProto[]): ModelProto {
  return {
    irVersion: 8,
    opsetImports: [{ domain: '', version: 17 }],
    graph: {
      name: 't',
      nodes,
      initializers: [W],
      inputs: ['x', 'a'].map((name) => ({ name, elemType: DataType.FLOAT, shape: [{ value: 2 }, { value: 3 }] })),
      outputs: [{ name: 'loss', elemType: DataType.FLOAT, shape: [] }],
      valueInfo: [],
    },
    metadata: [],
  };
}

const feeds = {
  x: new ort.Tensor('float32', Float32Array.from([1, 2, 3, 4, 5, 6]), [2, 3]),
  a: new ort.Tensor('float32', Float32Array.from([0.1, 0.2, 0.3, 0.4, 0.5, 0.6]), [2, 3]),
};

describe('buildGradientGraph', () => {
  it('names the op, the node and the path when an op has no gradient rule', async () => {
    // loss = Σ CumSum(x·W + a): CumSum has no rule, and it lies between the trainable a and the loss.
    const m = model([
      makeNode('MatMul', ['x', 'W'], ['h'], 'proj'),
      makeNode('Add', ['h', 'a'], ['z'], 'add_adapter'),
      makeNode('CumSum', ['z', 'axis'], ['c'], 'running_sum'),
      makeNode('ReduceSum', ['c'], ['loss'], 'total', { keepdims: 0 }),
    ]);
    m.graph.initializers.push(makeTensor('axis', [], DataType.INT64, [1]));
    const infos = await probeTensorInfo(m, feeds);
    assert.throws(
      () => buildGradientGraph({ model: m, loss: 'loss', trainable: ['a'], infos }),
      (e: Error) => e instanceof GradientError && /op CumSum \(node 'running_sum'\) has no gradient rule/.test(e.message) && /a -> Add 'add_adapter' -> CumSum 'running_sum'/.test(e.message),
    );
  });

  it('differentiates only the trainable tensor: frozen weights stay initializers and get no gradient', async () => {
    const m = model([
      makeNode('MatMul', ['x', 'W'], ['h'], 'proj'),
      makeNode('Add', ['h', 'a'], ['z'], 'add_adapter'),
      makeNode('Mul', ['z', 'z'], ['sq'], 'square'),
      makeNode('ReduceSum', ['sq'], ['loss'], 'total', { keepdims: 0 }),
    ]);
    const infos = await probeTensorInfo(m, feeds);
    const { model: g, gradOutputs } = buildGradientGraph({ model: m, loss: 'loss', trainable: ['a'], infos });
    assert.deepStrictEqual([...gradOutputs.keys()], ['a']);
    assert.strictEqual(g.graph.initializers.filter((t) => t.name === 'W').length, 1, 'W is still one initializer');
    // No backward node reads W: the path from a to the loss does not pass through the MatMul.
    const backward = g.graph.nodes.slice(m.graph.nodes.length);
    assert.ok(!backward.some((n) => n.inputs.includes('W')), 'no gradient is computed through the frozen MatMul');
    // d/da Σ (xW + a)² = 2(xW + a); check exactly.
    const session = await ort.InferenceSession.create(encodeModel(g));
    const out = await session.run(feeds);
    const ga = out[gradOutputs.get('a')!].data as Float32Array;
    const x = feeds.x.data as Float32Array;
    const a = feeds.a.data as Float32Array;
    const w = [0.5, -1, 2, 1, 0.25, -0.5, 3, 1, -2];
    for (let i = 0; i < 2; i++) {
      for (let j = 0; j < 3; j++) {
        let z = a[i * 3 + j];
        for (let k = 0; k < 3; k++) z += x[i * 3 + k] * w[k * 3 + j];
        assert.ok(Math.abs(ga[i * 3 + j] - 2 * z) < 1e-5, `grad[${i},${j}] = ${ga[i * 3 + j]}, expected ${2 * z}`);
      }
    }
  });

  it('refuses a loss that does not depend on the trainable tensors', async () => {
    const m = model([makeNode('MatMul', ['x', 'W'], ['h'], 'proj'), makeNode('ReduceSum', ['h'], ['loss'], 'total', { keepdims: 0 })]);
    const infos = await probeTensorInfo(m, feeds);
    assert.throws(() => buildGradientGraph({ model: m, loss: 'loss', trainable: ['a'], infos }), /does not depend on any trainable tensor/);
  });
});
