// Test scaffolding for loss heads: a model whose graph input `x` is passed straight to the `logits` output
// (so the logits can be fed and differentiated), ONNX Runtime runs, and a finite-difference check of
// d loss / d logits through the head.
import * as assert from 'assert';
import * as ort from 'onnxruntime-node';
import { buildGradientGraph } from '../../../../src/core/autodiff/build-gradient-graph';
import { LossHead } from '../../../../src/core/loss/loss-head';
import { makeNode } from '../../../../src/core/onnx/attributes';
import { encodeModel } from '../../../../src/core/onnx/model-codec';
import { DataType, Dim, ModelProto } from '../../../../src/core/onnx/types';
import { probeTensorInfo } from '../../../../src/core/runtime/probe-tensor-info';

export function logitsModel(shape: Dim[], elemType: DataType = DataType.DOUBLE, opset = 17): ModelProto {
  return {
    irVersion: 8,
    opsetImports: [{ domain: '', version: opset }],
    graph: {
      name: 'logits_only',
      nodes: [makeNode('Identity', ['x'], ['logits'], 'logits_identity')],
      initializers: [],
      inputs: [{ name: 'x', elemType, shape }],
      outputs: [{ name: 'logits', elemType, shape }],
      valueInfo: [],
    },
    metadata: [],
  };
}

/** Deterministic values in [−2, 2) (a small LCG), so failures reproduce. */
export function pseudoRandom(count: number, seed = 7): number[] {
  let s = seed >>> 0;
  return Array.from({ length: count }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s / 2 ** 32) * 4 - 2;
  });
}

export const int64 = (rows: number[] | number[][]): ort.Tensor => {
  const flat = (rows as (number | number[])[]).flat() as number[];
  const dims = Array.isArray(rows[0]) ? [rows.length, (rows[0] as number[]).length] : [rows.length];
  return new ort.Tensor('int64', BigInt64Array.from(flat.map((v) => BigInt(v))), dims);
};

export const float64 = (values: number[], dims: number[]) => new ort.Tensor('float64', Float64Array.from(values), dims);

export async function runModel(model: ModelProto, feeds: Record<string, ort.Tensor>): Promise<ort.InferenceSession.OnnxValueMapType> {
  const session = await ort.InferenceSession.create(encodeModel(model));
  try {
    return await session.run(feeds);
  } finally {
    await session.release();
  }
}

/**
 * d loss / d x from the gradient graph against central differences (ε = 1e-6, float64) on every element
 * of x (or the listed ones). Returns the analytic gradient. Relative tolerance `tol` on the largest error.
 */
export async function checkHeadGradient(
  head: LossHead,
  feeds: Record<string, ort.Tensor>,
  options: { tol?: number; elements?: number[] } = {},
): Promise<Float64Array> {
  const tol = options.tol ?? 1e-6;
  const eps = 1e-6;
  const infos = await probeTensorInfo(head.model, feeds);
  const { model, gradOutputs } = buildGradientGraph({ model: head.model, loss: head.names.loss, trainable: ['x'], infos });
  const analytic = (await runModel(model, feeds))[gradOutputs.get('x')!].data as Float64Array;
  const x = Array.from(feeds.x.data as Float64Array);
  const session = await ort.InferenceSession.create(encodeModel(head.model));
  const lossAt = async (i: number, delta: number) => {
    const v = [...x];
    v[i] += delta;
    const out = await session.run({ ...feeds, x: float64(v, feeds.x.dims as number[]) });
    return Number(out[head.names.loss].data[0]);
  };
  let maxError = 0;
  let maxGrad = 0;
  for (const i of options.elements ?? x.map((_, k) => k)) {
    const numeric = ((await lossAt(i, eps)) - (await lossAt(i, -eps))) / (2 * eps);
    maxError = Math.max(maxError, Math.abs(numeric - analytic[i]));
    maxGrad = Math.max(maxGrad, Math.abs(numeric));
  }
  await session.release();
  assert.ok(maxError <= tol * maxGrad, `d loss / d logits: max error ${maxError.toExponential(3)} vs max |gradient| ${maxGrad.toExponential(3)} (tol ${tol})`);
  return analytic;
}

/** |a − b| ≤ tol · |b|, with both values in the message. */
export function assertRelClose(actual: number, expected: number, tol: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= tol * Math.abs(expected), `${what}: ${actual} vs expected ${expected} (relative tol ${tol})`);
}
