// Shared by the merge tests: fixture paths, temp folders, running a model file on a batch, reading weights.
import * as assert from 'assert';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Batch } from '../../../../src/core/io/batch-file';
import type { MergeReport } from '../../../../src/core/merge';
import { decodeModel } from '../../../../src/core/onnx/model-codec';
import { readModelFile } from '../../../../src/core/onnx/model-file';
import { tensorToFloat32 } from '../../../../src/core/onnx/tensor-data';
import { openSession } from '../../../../src/core/runtime/session';
import { batchFeeds } from '../../../../src/core/train/batch-feeds';

export const fixtureDir = (name: string) => path.join(__dirname, '../../../../../test/fixtures', name);

export function makeTempDir(prefix = 'thanora-merge-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function sha256(file: string): string {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/** max |a − b| / max |b|. */
export function relativeMaxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`lengths ${a.length} and ${b.length} differ`);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return diff / scale;
}

/** The first output of `file` on `batch`, plus any extra feeds (adapter inputs). */
export async function runModelFile(file: string | Uint8Array, batch: Batch, extra: Record<string, unknown> = {}): Promise<Float32Array> {
  const model = typeof file === 'string' ? readModelFile(file, { loadExternalData: false }) : decodeModel(file);
  const { session } = await openSession(file, { device: 'cpu', threads: 1 });
  try {
    const feeds = { ...batchFeeds(model, batch), ...extra } as Record<string, never>;
    const inputs = Object.fromEntries(session.inputNames.map((n) => [n, feeds[n]]));
    const out = await session.run(inputs);
    return out[session.outputNames[0]].data as Float32Array;
  } finally {
    await session.release();
  }
}

/** Every float initializer of a model file as float32 values (external data loaded). */
export function initializerValues(file: string): Map<string, { dims: number[]; values: Float32Array }> {
  const model = readModelFile(file);
  const out = new Map<string, { dims: number[]; values: Float32Array }>();
  for (const t of model.graph.initializers) {
    if (t.dataType === 1) out.set(t.name, { dims: t.dims, values: tensorToFloat32(t) });
  }
  return out;
}

/** The report vouches for exactly the files beside it, byte for byte. */
export function assertReportMatchesFolder(dir: string): MergeReport {
  const report = JSON.parse(fs.readFileSync(path.join(dir, 'merge-report.json'), 'utf8')) as MergeReport;
  const listed = report.outputs.files.map((f) => f.name).sort();
  const onDisk = (fs.readdirSync(dir, { recursive: true }) as string[]).filter((n) => n !== 'merge-report.json' && fs.statSync(path.join(dir, n)).isFile());
  assert.deepStrictEqual(onDisk.sort(), listed);
  for (const f of report.outputs.files) {
    assert.strictEqual(sha256(path.join(dir, f.name)), f.sha256, `${f.name} is the file the report describes`);
    assert.strictEqual(fs.statSync(path.join(dir, f.name)).size, f.bytes);
  }
  const project = JSON.parse(fs.readFileSync(path.join(dir, 'thanora_adapter.json'), 'utf8'));
  assert.strictEqual(project.thanora.step, report.source.step, 'the adapter comes from the checkpoint the report names');
  return report;
}
