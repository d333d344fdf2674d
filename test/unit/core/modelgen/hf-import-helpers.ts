// Shared by the importer tests: fixture folders, importing into a temp folder, running a model file from its
// path (so ONNX Runtime itself reads the external data), relative errors that skip transformers' NaN rows.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ort from 'onnxruntime-node';
import { readSafetensors } from '../../../../src/core/io/safetensors';
import { ImportDtype, importHfModel } from '../../../../src/core/modelgen/import-hf-model';
import { WrittenImport, writeImportedModel } from '../../../../src/core/modelgen/write-imported-model';
import { halfToFloat } from '../../../../src/core/onnx/tensor-data';

export const fixturesRoot = path.join(__dirname, '../../../../../test/fixtures');
export const hfFixture = (name: string) => path.join(fixturesRoot, 'hf', name);
export const importFixture = (name: string) => path.join(fixturesRoot, 'hf-import', name);

/** The hf-import cases (every folder with an hf_base). */
export function importCases(): string[] {
  return fs
    .readdirSync(path.join(fixturesRoot, 'hf-import'))
    .filter((n) => fs.existsSync(path.join(importFixture(n), 'hf_base')))
    .sort();
}

export function tempDir(prefix = 'thanora-import-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function importInto(hfDir: string, outDir: string, dtype: ImportDtype = 'float32'): Promise<WrittenImport> {
  return writeImportedModel(importHfModel(hfDir, { dtype }), path.join(outDir, 'model.onnx'));
}

export interface TokenBatch {
  input_ids: number[][];
  attention_mask: number[][];
}

/** Logits of the model file on a batch, as float32 (float16 outputs widened). */
export async function logitsOf(file: string, batch: TokenBatch): Promise<{ data: Float32Array; dims: readonly number[] }> {
  const session = await ort.InferenceSession.create(file, { intraOpNumThreads: 1, logSeverityLevel: 3 });
  try {
    const dims = [batch.input_ids.length, batch.input_ids[0].length];
    const int64 = (rows: number[][]) => new ort.Tensor('int64', BigInt64Array.from(rows.flat(), BigInt), dims);
    const out = (await session.run({ input_ids: int64(batch.input_ids), attention_mask: int64(batch.attention_mask) })).logits;
    const data = out.type === 'float16' ? Float32Array.from(out.data as Uint16Array, halfToFloat) : (out.data as Float32Array);
    return { data, dims: out.dims };
  } finally {
    await session.release();
  }
}

/**
 * max |a − b| / max |b| over the entries where the reference is finite: transformers' sdpa output is NaN on
 * left-padded rows that attend to nothing, so those are not compared.
 */
export function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) throw new Error(`${actual.length} values vs ${expected.length} expected`);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    if (!Number.isFinite(expected[i])) continue;
    diff = Math.max(diff, Math.abs(actual[i] - expected[i]));
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  return diff / scale;
}

export function expectedLogits(file: string): Map<string, { shape: number[]; data: Float32Array }> {
  const out = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const [k, t] of readSafetensors(file).tensors) out.set(k, { shape: t.shape, data: t.data as Float32Array });
  return out;
}

export function readJson<T>(file: string): T {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
}
