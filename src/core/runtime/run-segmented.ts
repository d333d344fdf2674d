// Runs a graph cut into segments (onnx/graph-segments.ts) over many inputs, one segment at a time: every input
// goes through segment j before segment j + 1 opens, so only one segment's session (its weights) is open and
// the caller can finish with segment j's outputs before the next ones exist. Between segments each input keeps
// only its carried values.
import * as ort from 'onnxruntime-node';
import { GraphSegment } from '../onnx/graph-segments';
import { SessionOptions } from './session';
import { openModelSession } from './model-session';

export type SegmentOutputs = (segment: number, input: number, outputs: Readonly<Record<string, ort.Tensor>>) => void | Promise<void>;

export async function runSegmented(
  segments: readonly GraphSegment[],
  feeds: readonly Readonly<Record<string, ort.Tensor>>[],
  options: SessionOptions,
  onOutputs: SegmentOutputs,
  onSegmentDone?: (segment: number) => void | Promise<void>,
): Promise<void> {
  const carry = feeds.map(() => new Map<string, ort.Tensor>());
  for (const [j, segment] of segments.entries()) {
    const opened = await openModelSession(segment.model, options);
    try {
      const inputNames = new Set(segment.model.graph.inputs.map((v) => v.name));
      for (const [i, base] of feeds.entries()) {
        const input: Record<string, ort.Tensor> = {};
        for (const name of inputNames) {
          const value = carry[i].get(name) ?? base[name];
          if (!value) throw new Error(`segment ${j}: no value for its input '${name}'`);
          input[name] = value;
        }
        const out = await opened.session.run(input);
        for (const name of segment.carriedOut) carry[i].set(name, out[name]);
        for (const name of segment.lastUse) carry[i].delete(name);
        const wanted: Record<string, ort.Tensor> = {};
        for (const name of segment.outputs) wanted[name] = out[name];
        await onOutputs(j, i, wanted);
      }
    } finally {
      await opened.session.release();
    }
    await onSegmentDone?.(j);
  }
}
