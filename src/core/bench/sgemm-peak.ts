// The machine's practical peak: float32 GEMM throughput of ONNX Runtime on large square matrices with
// the same thread count, the ceiling any transformer step on this machine can approach.
import * as ort from 'onnxruntime-node';
import { makeNode } from '../onnx/attributes';
import { encodeModel } from '../onnx/model-codec';
import { DataType } from '../onnx/types';
import { openSession, SessionOptions } from '../runtime/session';

/** The best of square GEMMs of 1024 and 2048 (large enough for MLAS to reach its plateau on any core count). */
export async function measureSgemmGflops(options: SessionOptions): Promise<number> {
  let best = 0;
  for (const n of [1024, 2048]) best = Math.max(best, await squareGemmGflops(options, n, n === 1024 ? 8 : 3));
  return best;
}

async function squareGemmGflops(options: SessionOptions, n: number, repeats: number): Promise<number> {
  const model = encodeModel({
    irVersion: 8,
    opsetImports: [{ domain: '', version: 17 }],
    graph: {
      name: 'sgemm_peak',
      nodes: [makeNode('MatMul', ['a', 'b'], ['c'], 'gemm')],
      initializers: [],
      inputs: ['a', 'b'].map((name) => ({ name, elemType: DataType.FLOAT, shape: [{ value: n }, { value: n }] })),
      outputs: [{ name: 'c', elemType: DataType.FLOAT, shape: [{ value: n }, { value: n }] }],
      valueInfo: [],
    },
    metadata: [],
  });
  const { session } = await openSession(model, options);
  const data = Float32Array.from({ length: n * n }, (_, i) => ((i * 7919) % 1000) / 1000 - 0.5);
  const feeds = { a: new ort.Tensor('float32', data, [n, n]), b: new ort.Tensor('float32', data, [n, n]) };
  await session.run(feeds);
  let best = Infinity;
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    await session.run(feeds);
    best = Math.min(best, performance.now() - t0);
  }
  await session.release();
  return (2 * n ** 3) / 1e9 / (best / 1000);
}
