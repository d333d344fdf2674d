// float64 conversion: every op whose ONNX Runtime CPU kernel is float32-only still runs in a float64 graph
// (in float32 between Casts) and gives the float32 graph's values. Tolerance: 1e-6 relative per element (the
// float32 kernel's output, widened to float64, is exact; only the float64 input's rounding to float32 differs).
import * as assert from 'assert';
import * as ort from 'onnxruntime-node';
import { makeNode } from '../../../../src/core/onnx/attributes';
import { convertModelToFloat64, float32OnlyOps } from '../../../../src/core/onnx/convert-precision';
import { encodeModel } from '../../../../src/core/onnx/model-codec';
import { DataType, ModelProto } from '../../../../src/core/onnx/types';
import { smallModel } from './codec-helpers';

// Each op on x (and a second operand where it takes one); Acosh needs x ≥ 1.
function oneOpModel(opType: string): ModelProto {
  const inputs = opType === 'PRelu' || opType === 'Mean' ? ['x', 'x'] : ['x'];
  const io = (name: string) => ({ name, elemType: DataType.FLOAT, shape: [{ value: 2 }, { value: 3 }] });
  const model = smallModel([makeNode(opType, inputs, ['y'], opType)], [], [io('y')], [io('x')]);
  return { ...model, opsetImports: [{ domain: '', version: 20 }], irVersion: 9 };
}

async function run(model: ModelProto, x: Float32Array, type: 'float32' | 'float64'): Promise<number[]> {
  const session = await ort.InferenceSession.create(encodeModel(model));
  try {
    const input = type === 'float32' ? new ort.Tensor('float32', x, [2, 3]) : new ort.Tensor('float64', Float64Array.from(x), [2, 3]);
    const out = await session.run({ x: input });
    assert.strictEqual(out.y.type, type);
    return [...(out.y.data as Float32Array | Float64Array)];
  } finally {
    await session.release();
  }
}

describe('convertModelToFloat64: ops with float32-only kernels', () => {
  for (const opType of float32OnlyOps) {
    it(`${opType} runs in a float64 graph and equals the float32 graph`, async () => {
      const x = Float32Array.from([0.1, 0.25, 0.4, 0.55, 0.7, 0.85].map((v) => (opType === 'Acosh' ? 1 + v : v)));
      const model = oneOpModel(opType);
      const reference = await run(model, x, 'float32');
      const wide = await run(convertModelToFloat64(model), x, 'float64');
      wide.forEach((v, i) => assert.ok(Math.abs(v - reference[i]) <= 1e-6 * Math.max(1, Math.abs(reference[i])), `${opType}[${i}]: ${v} vs ${reference[i]}`));
    });
  }

  it('the list is needed: without the Casts, ONNX Runtime has no float64 Erf', async () => {
    const model = oneOpModel('Erf');
    const plain = { ...model, graph: { ...model.graph, inputs: [{ ...model.graph.inputs[0], elemType: DataType.DOUBLE }], outputs: [{ ...model.graph.outputs[0], elemType: DataType.DOUBLE }] } };
    await assert.rejects(ort.InferenceSession.create(encodeModel(plain)), /Erf/);
  });
});
