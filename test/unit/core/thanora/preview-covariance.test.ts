import * as assert from 'assert';
import * as ort from 'onnxruntime-node';
import { randomNormalMatrix, seededRng } from '../../../../src/core/linalg/random';
import { makeNode } from '../../../../src/core/onnx/attributes';
import { encodeModel } from '../../../../src/core/onnx/model-codec';
import { makeTensor } from '../../../../src/core/onnx/tensor-data';
import { DataType, ModelProto } from '../../../../src/core/onnx/types';
import { appendCovarianceOutputs } from '../../../../src/core/thanora/preview-covariance';

// Y = X·W (X [2, 3, 4], W [4, 5]) with an int64 attention mask; XᵀX over the counted tokens, checked in JS.
// Tolerance: 1e-5 relative (float32 accumulation of 6 tokens).
describe('thanora/preview-covariance', () => {
  it('XᵀX over masked tokens and the token count come out as graph outputs', async () => {
    const rng = seededRng(71);
    const x = randomNormalMatrix(6, 4, rng);
    const model: ModelProto = {
      irVersion: 8,
      opsetImports: [{ domain: '', version: 17 }],
      graph: {
        name: 'g',
        nodes: [makeNode('MatMul', ['x', 'w'], ['y'], 'proj')],
        initializers: [makeTensor('w', [4, 5], DataType.FLOAT, Float32Array.from(randomNormalMatrix(4, 5, rng).data))],
        inputs: [
          { name: 'x', elemType: DataType.FLOAT, shape: [{ value: 2 }, { value: 3 }, { value: 4 }] },
          { name: 'attention_mask', elemType: DataType.INT64, shape: [{ value: 2 }, { value: 3 }] },
        ],
        outputs: [{ name: 'y', elemType: DataType.FLOAT, shape: [{ value: 2 }, { value: 3 }, { value: 5 }] }],
        valueInfo: [],
      },
      metadata: [],
    };
    const maskValues = [1, 1, 0, 1, 0, 0];
    const { model: withCov, outputs, tokens } = appendCovarianceOutputs(model, [{ name: 'proj', input: 'x', dIn: 4 }], 'attention_mask');
    const session = await ort.InferenceSession.create(encodeModel(withCov));
    const out = await session.run({
      x: new ort.Tensor('float32', Float32Array.from(x.data), [2, 3, 4]),
      attention_mask: new ort.Tensor('int64', BigInt64Array.from(maskValues.map(BigInt)), [2, 3]),
    });
    await session.release();
    assert.strictEqual(Number(out[tokens].data[0]), 3);
    const xtx = out[outputs.get('proj')!].data as Float32Array;
    for (let i = 0; i < 4; i++) {
      for (let j = 0; j < 4; j++) {
        let expected = 0;
        maskValues.forEach((m, t) => (expected += m * Math.fround(x.data[t * 4 + i]) * Math.fround(x.data[t * 4 + j])));
        assert.ok(Math.abs(xtx[i * 4 + j] - expected) <= 1e-5 * Math.max(1, Math.abs(expected)), `(${i}, ${j})`);
      }
    }
  });
  it('names a missing mask input or activation tensor', () => {
    const model: ModelProto = { irVersion: 8, opsetImports: [{ domain: '', version: 17 }], graph: { name: 'g', nodes: [], initializers: [], inputs: [{ name: 'm' }], outputs: [], valueInfo: [] }, metadata: [] };
    assert.throws(() => appendCovarianceOutputs(model, [], 'attention_mask'), /mask 'attention_mask' is not a graph input/);
    assert.throws(() => appendCovarianceOutputs(model, [{ name: 'q', input: 'nope', dIn: 2 }], 'm'), /'nope' is not produced/);
  });
});
