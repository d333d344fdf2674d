// A residual W' must not leak into other readers of the same initializer (tied weights).
import * as assert from 'assert';
import { resolveTargets } from '../../../../src/core/lora/resolve-targets';
import { initializeMethod } from '../../../../src/core/method/method-init';
import { makeNode } from '../../../../src/core/onnx/attributes';
import { makeTensor } from '../../../../src/core/onnx/tensor-data';
import { DataType, ModelProto } from '../../../../src/core/onnx/types';
import { methodConfig } from './method-fixtures';

// y = (x·W)·W with one initializer W read by both MatMuls.
const tied: ModelProto = {
  irVersion: 8,
  opsetImports: [{ domain: '', version: 17 }],
  graph: {
    name: 'tied',
    nodes: [makeNode('MatMul', ['x', 'W'], ['h'], '/first/MatMul'), makeNode('MatMul', ['h', 'W'], ['y'], '/second/MatMul')],
    initializers: [makeTensor('W', [4, 4], DataType.FLOAT, Float32Array.from({ length: 16 }, (_, i) => (i % 5 === 0 ? 1 : 0.1 * i)))],
    inputs: [{ name: 'x', elemType: DataType.FLOAT, shape: [{ value: 2 }, { value: 4 }] }],
    outputs: [{ name: 'y', elemType: DataType.FLOAT, shape: [{ value: 2 }, { value: 4 }] }],
    valueInfo: [],
  },
  metadata: [],
};

describe('method/module-weights', () => {
  const modules = resolveTargets(tied, ['first']);
  const request = (name: 'pissa' | 'lora') => initializeMethod({ model: tied, modules, lora: { r: 2, alpha: 2 }, method: methodConfig({ name }), tasks: ['a'], seed: 0 });

  it('a residual method on a tied weight is an error naming the other reader', async () => {
    await assert.rejects(request('pissa'), /weight 'W' is also read by node '\/second\/MatMul' \(MatMul\).*method 'lora'/);
  });

  it('lora needs no residual, so a tied weight is fine', async () => {
    const init = await request('lora');
    assert.strictEqual(init.model, tied);
    assert.strictEqual(init.values.size, 2);
  });
});
