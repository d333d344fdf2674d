// Shared by the codec tests: fixture feeds, ONNX Runtime runs, exact output comparison.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as ort from 'onnxruntime-node';
import { Graph, ModelProto, NodeProto, TensorProto, ValueInfo } from '../../../../src/core/onnx/types';

export const fixturesDir = path.join(__dirname, '../../../../../test/fixtures');
export const fixtureNames = fs.readdirSync(fixturesDir).filter((d) => fs.existsSync(path.join(fixturesDir, d, 'model.onnx')));

/** input_ids and attention_mask of the fixture's batch.json as int64 [b, s]. */
export function fixtureFeeds(name: string): Record<string, ort.Tensor> {
  const batch = JSON.parse(fs.readFileSync(path.join(fixturesDir, name, 'batch.json'), 'utf8'));
  const dims = [batch.input_ids.length, batch.input_ids[0].length];
  const int64 = (rows: number[][]) => new ort.Tensor('int64', BigInt64Array.from(rows.flat().map((v) => BigInt(v))), dims);
  return { input_ids: int64(batch.input_ids), attention_mask: int64(batch.attention_mask) };
}

/** Runs a model (bytes or a path) on the CPU, one thread, so two runs of the same graph give the same bits. */
export async function runModel(model: Uint8Array | string, feeds: Record<string, ort.Tensor>): Promise<Record<string, ort.Tensor>> {
  const options: ort.InferenceSession.SessionOptions = { executionProviders: ['cpu'], intraOpNumThreads: 1, interOpNumThreads: 1, logSeverityLevel: 3 };
  const session = typeof model === 'string' ? await ort.InferenceSession.create(model, options) : await ort.InferenceSession.create(model, options);
  try {
    return await session.run(feeds);
  } finally {
    await session.release();
  }
}

function tensorBytes(t: ort.Tensor): Buffer {
  const data = t.data as ArrayBufferView;
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

/** Exact equality: same output names, types, dims and bytes. */
export function assertSameOutputs(actual: Record<string, ort.Tensor>, expected: Record<string, ort.Tensor>, label: string): void {
  assert.deepStrictEqual(Object.keys(actual).sort(), Object.keys(expected).sort(), label);
  for (const [name, e] of Object.entries(expected)) {
    const a = actual[name];
    assert.strictEqual(a.type, e.type, `${label}: ${name} type`);
    assert.deepStrictEqual(a.dims, e.dims, `${label}: ${name} dims`);
    assert.ok(tensorBytes(a).equals(tensorBytes(e)), `${label}: ${name} differs`);
  }
}

/** A one-graph model (opset 17, no graph inputs unless given). */
export function smallModel(nodes: NodeProto[], initializers: TensorProto[], outputs: ValueInfo[], inputs: ValueInfo[] = []): ModelProto {
  const graph: Graph = { name: 'codec_test', nodes, initializers, inputs, outputs, valueInfo: [] };
  return { irVersion: 8, opsetImports: [{ domain: '', version: 17 }], graph, metadata: [], producerName: 'thanora-test' };
}
