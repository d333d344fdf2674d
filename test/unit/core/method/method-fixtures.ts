// Shared helpers for the method tests: fixture models, synthetic preview batches and a MethodConfig.
import * as ort from 'onnxruntime-node';
import * as path from 'path';
import { MethodConfig } from '../../../../src/core/experiment/experiment-config';
import { Batch } from '../../../../src/core/io/batch-file';
import { seededRng } from '../../../../src/core/linalg/random';
import { encodeModel } from '../../../../src/core/onnx/model-codec';
import { ModelProto } from '../../../../src/core/onnx/types';
import { batchFeeds } from '../../../../src/core/train/batch-feeds';

export const fixtures = path.join(__dirname, '../../../../../test/fixtures');

export const llamaTargets = ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'];

/**
 * Causal-LM batches whose tokens are drawn uniformly from `tokenIds`. The first `prompt` positions of every
 * row are labelled −100, and the last row of each batch is padded after half its length (attention 0).
 */
export function syntheticBatches(seed: number, tokenIds: readonly number[], rows: number, seqLength: number, batchSize: number, prompt = 2): Batch[] {
  const rng = seededRng(seed);
  const out: Batch[] = [];
  for (let start = 0; start < rows; start += batchSize) {
    const b = Math.min(batchSize, rows - start);
    const n = b * seqLength;
    const inputIds = new Int32Array(n);
    const attentionMask = new Int32Array(n).fill(1);
    const labels = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      inputIds[i] = tokenIds[Math.floor(rng() * tokenIds.length)];
      const pos = i % seqLength;
      const padded = Math.floor(i / seqLength) === b - 1 && pos >= seqLength / 2;
      if (padded) attentionMask[i] = 0;
      labels[i] = pos < prompt || padded ? -100 : inputIds[i];
    }
    out.push({ batchSize: b, seqLength, inputIds, attentionMask, hasAttentionMask: true, labels, labelsDims: [b, seqLength] });
  }
  return out;
}

export const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

export function methodConfig(overrides: Partial<MethodConfig> = {}): MethodConfig {
  return {
    name: 'thanora',
    previewSamples: 8,
    epsilon: 1e-4,
    entropyRank: 'auto',
    entropyOver: 'sigma',
    cooperativeRank: 2,
    temperature: 0.05,
    allocation: 'module',
    gamma: 1,
    taskLrScale: 1,
    lambda: 1e-3,
    sprSides: 'both',
    ...overrides,
  };
}

/** The model's `output` on a batch, with extra feeds (adapter values). */
export async function runOutput(model: ModelProto, batch: Batch, extra: Record<string, ort.Tensor> = {}, output = 'logits'): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(encodeModel(model), { intraOpNumThreads: 1, interOpNumThreads: 1 });
  try {
    const out = await session.run({ ...batchFeeds(model, batch), ...extra });
    return out[output].data as Float32Array;
  } finally {
    await session.release();
  }
}

export function maxAbsDiff(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let d = 0;
  for (let i = 0; i < x.length; i++) d = Math.max(d, Math.abs(x[i] - y[i]));
  return d;
}
