// What the cached preview results of a plan depend on, as short digests (the cache's folder and file names).
//   covariances C_t: the model's files, the preview batches themselves (so the data, tokenizer, seqLength,
//                    padding, batchSize and previewSamples all count, exactly as collated), which tokens count,
//                    and the device (CUDA and CPU kernels round differently);
//   spectra (H_t):   the covariances' key and the context-SVD options (ε, K); not r, τ, γ, the cooperative
//                    rank or the allocation scope, which act after the SVD.
// A model file is known by path, size and modification time (hashing gigabytes each preview would cost more
// than the preview saves); the same for each external-data file it references.
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { Batch } from '../io/batch-file';
import { ModelProto } from '../onnx/types';
import { PreviewTokens } from '../method/preview-batches';
import type { EntropyOver } from '../thanora/spectral-entropy';

/** Bumped whenever what is stored, or how it is computed, changes: older entries are then never read. */
export const PREVIEW_CACHE_VERSION = 1;

export interface FileIdentity {
  path: string;
  size: number;
  mtimeMs: number;
}

export function fileIdentity(file: string): FileIdentity {
  const stat = fs.statSync(file);
  return { path: path.resolve(file), size: stat.size, mtimeMs: stat.mtimeMs };
}

/** The model file and every external-data file its initializers point to, sorted. */
export function modelIdentity(modelFile: string, model: ModelProto): FileIdentity[] {
  const external = new Set<string>();
  for (const t of model.graph.initializers) {
    if (t.external) external.add(path.resolve(t.external.baseDir ?? path.dirname(modelFile), t.external.location));
  }
  return [fileIdentity(modelFile), ...[...external].sort().map(fileIdentity)];
}

/** sha256 of the preview batches of every task, over the exact arrays the preview feeds. */
export function previewBatchesDigest(batchesPerTask: readonly (readonly Batch[])[]): string {
  const hash = createHash('sha256');
  const add = (array: Int32Array) => hash.update(new Uint8Array(array.buffer, array.byteOffset, array.byteLength));
  batchesPerTask.forEach((batches, task) => {
    hash.update(`task ${task}: ${batches.length} batches\n`);
    for (const b of batches) {
      hash.update(`${b.batchSize}x${b.seqLength} labels [${b.labelsDims}] mask ${b.hasAttentionMask}\n`);
      add(b.inputIds);
      add(b.attentionMask);
      add(b.labels);
    }
  });
  return hash.digest('hex');
}

export interface CovarianceKeyInputs {
  version: number;
  model: FileIdentity[];
  previewBatches: string;
  previewTokens: PreviewTokens;
  device: string;
}

export interface SpectraKeyInputs {
  version: number;
  covariances: string;
  epsilon: number;
  entropyRank: 'auto' | number;
  entropyOver: EntropyOver;
  exactSvdMaxDim: number;
}

/** A short stable digest of a JSON value (keys in the order given: the inputs above are built in one place). */
export function digestOf(value: CovarianceKeyInputs | SpectraKeyInputs | Record<string, unknown>): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 20);
}
