import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ort from 'onnxruntime-node';
import { benchLoraStep } from '../../../../src/core/bench/lora-step-bench';
import { readStepProfile } from '../../../../src/core/bench/step-profile';
import { resolveTargets } from '../../../../src/core/lora/resolve-targets';
import { makeNode } from '../../../../src/core/onnx/attributes';
import { encodeModel } from '../../../../src/core/onnx/model-codec';
import { readModelFile } from '../../../../src/core/onnx/model-file';
import { makeTensor } from '../../../../src/core/onnx/tensor-data';
import { DataType, ModelProto } from '../../../../src/core/onnx/types';
import { openSession } from '../../../../src/core/runtime/session';

const fixtures = path.join(__dirname, '../../../../../test/fixtures');

// x [b, s, 6] · W1 [6, 10] (MatMul, 3-D), then Gemm on the flattened rows against W2ᵀ (transB) and a Gemm with
// transA: the profile must count each as 2·M·N·K with the K the op really contracts.
function threeProducts(): ModelProto {
  const w = (name: string, dims: number[]) => makeTensor(name, dims, DataType.FLOAT, Array.from({ length: dims[0] * dims[1] }, (_, i) => (i % 7) / 7));
  return {
    irVersion: 8,
    opsetImports: [{ domain: '', version: 17 }],
    graph: {
      name: 'products',
      nodes: [
        makeNode('MatMul', ['x', 'w1'], ['h'], 'mm'),
        makeNode('Reshape', ['h', 'flat_shape'], ['h2'], 'flatten'),
        makeNode('Gemm', ['h2', 'w2'], ['y'], 'gemm_tb', { transB: 1 }),
        makeNode('Gemm', ['y', 'w3'], ['z'], 'gemm_ta', { transA: 1 }),
      ],
      initializers: [w('w1', [6, 10]), w('w2', [4, 10]), w('w3', [12, 5]), makeTensor('flat_shape', [2], DataType.INT64, [-1, 10])],
      inputs: [{ name: 'x', elemType: DataType.FLOAT, shape: [{ value: 3 }, { value: 4 }, { value: 6 }] }],
      outputs: [{ name: 'z', elemType: DataType.FLOAT }],
      valueInfo: [],
    },
    metadata: [],
  };
}

describe('step profile (ONNX Runtime profiling)', () => {
  let tmp: string;
  beforeEach(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'step-profile-'))));
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('counts 2·M·N·K for MatMul, Gemm transB and Gemm transA exactly, and times every kernel', async () => {
    const model = threeProducts();
    const { session } = await openSession(encodeModel(model), { device: 'cpu', threads: 1, optimization: 'disabled', profileFilePrefix: path.join(tmp, 'p') });
    await session.run({ x: new ort.Tensor('float32', new Float32Array(72).fill(0.5), [3, 4, 6]) });
    session.endProfiling();
    await session.release();
    const file = fs.readdirSync(tmp).find((f) => f.endsWith('.json'))!;
    const profile = readStepProfile(path.join(tmp, file), model.graph.nodes);
    // mm: M = 12 rows, K 6, N 10; gemm_tb: M 12, K 10, N 4; gemm_ta: yᵀ [4, 12]·w3 [12, 5]: M 4, K 12, N 5
    assert.strictEqual(profile.matmulFlops, 2 * 12 * 6 * 10 + 2 * 12 * 10 * 4 + 2 * 4 * 12 * 5);
    assert.deepStrictEqual(profile.byOp.map((o) => o.op).sort(), ['Gemm', 'MatMul', 'Reshape']);
    assert.strictEqual(profile.byOp.find((o) => o.op === 'Gemm')!.count, 2);
    assert.ok(profile.kernelMs > 0);
    // forward outputs: h, h2 (12·10 each), y (12·4), z (4·5) in float32
    assert.strictEqual(profile.forwardOutputBytes, 4 * (120 + 120 + 48 + 20));
  });

  it('bench on tiny-llama: the step work covers forward and backward, memory and set-up are reported', async () => {
    const loadStartedMs = performance.now();
    const model = readModelFile(path.join(fixtures, 'tiny-llama/model.onnx'));
    const modules = resolveTargets(model, ['q_proj', 'v_proj']);
    const r = await benchLoraStep(model, { modules, rank: 4, alpha: 8, batchSize: 2, seqLength: 8, steps: 2, warmup: 1, threads: 1, device: 'cpu', vocabSize: 64, loadStartedMs });
    // Forward products alone: every linear module on 16 rows, plus attention; backward adds at least dX of each.
    assert.ok(r.gflopPerStep > 0 && Number.isFinite(r.gflops), JSON.stringify(r));
    assert.ok(r.setupS > 0 && r.setupS < 120);
    assert.ok(r.peakRssBytes > r.weightBytes && r.weightBytes > 0);
    assert.ok(r.timeByOp.length > 0 && r.timeByOp.some((o) => o.op === 'MatMul' || o.op === 'Gemm' || o.op === 'FusedMatMul'));
    assert.strictEqual(r.budgetBytes, r.weightBytes + r.activationBytes);
  });
});
