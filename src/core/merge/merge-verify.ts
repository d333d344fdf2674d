// Checks a merged model against the model it replaces: the base with the adapter unmerged (injectLora on the
// frozen base training used, W' for residual methods, with the trained A, B as inputs, and the modules_to_save
// parameters as inputs in PyTorch's layout, as in training, so their placement in the merged file is checked
// too). Every float output of the base graph is compared on every probe batch:
//   maxAbsDiff = max |merged − unmerged|,  relativeDiff = maxAbsDiff / max |unmerged|
// and the adapter's own effect (unmerged vs. B = 0 and the base's own saved-module weights) is reported, so a
// pass cannot come from an adapter that changes nothing.
import * as ort from 'onnxruntime-node';
import { readModelFile } from '../onnx/model-file';
import { halfToFloat } from '../onnx/tensor-data';
import { DataType, ModelProto } from '../onnx/types';
import { Device } from '../runtime/session';
import { batchFeeds } from '../train/batch-feeds';
import { MergePlan } from './merge-plan';
import { unmergedModel, unmergedValues } from './unmerged-model';
import { ProbeBatch } from './probe-batches';
import { openModelSession } from '../runtime/model-session';

export interface OutputComparison {
  task: string;
  output: string;
  rows: number;
  maxAbsDiff: number;
  /** max |unmerged|, the scale of relativeDiff. */
  scale: number;
  relativeDiff: number;
  /** max |unmerged − base| / max |base|: how much the adapter changes this output. */
  adapterEffect: number;
  pass: boolean;
}

export interface Verification {
  tolerance: { relative: number; why: string };
  provider: 'cpu' | 'cuda';
  comparisons: OutputComparison[];
  maxRelativeDiff: number;
  pass: boolean;
}

export interface VerifyOptions {
  baseModelFile: string;
  mergedModelFile: string;
  plan: MergePlan;
  probes: readonly ProbeBatch[];
  device?: Device;
  threads?: number;
  onNotice?: (message: string) => void;
}

/** The tolerance of the narrowest adapted weight type: merging rounds W once more in that type. */
export function mergeTolerance(plan: MergePlan): { relative: number; why: string } {
  const types = new Set(plan.modules.map((m) => m.module.dtype));
  if (types.has(DataType.BFLOAT16)) return { relative: 3e-2, why: 'bfloat16 weights: one extra rounding of W (8-bit mantissa)' };
  if (types.has(DataType.FLOAT16)) return { relative: 5e-3, why: 'float16 weights: one extra rounding of W (11-bit mantissa)' };
  return { relative: 1e-4, why: 'float32 weights and outputs (ONNX Runtime float32 round-off)' };
}

function floats(t: ort.Tensor): Float64Array {
  if (t.type === 'float16') return Float64Array.from(t.data as Uint16Array, halfToFloat);
  return Float64Array.from(t.data as Float32Array | Float64Array);
}

function maxAbsDiff(a: Float64Array, b: Float64Array): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) {
    const e = Math.abs(a[i] - b[i]);
    d = Number.isNaN(e) ? Infinity : Math.max(d, e);
  }
  return d;
}

const maxAbs = (a: Float64Array) => a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);

async function openUnmerged(model: ModelProto, external: boolean, options: VerifyOptions) {
  // A base kept as external data goes through a temp external-data file too (it may be past 2 GiB).
  return openModelSession(model, { device: options.device ?? 'cpu', threads: options.threads, onNotice: options.onNotice, inlineLimit: external ? 0 : undefined });
}

export async function verifyMerge(options: VerifyOptions): Promise<Verification> {
  const { plan } = options;
  const tolerance = mergeTolerance(plan);
  const unmerged = unmergedModel(readModelFile(options.baseModelFile), options.baseModelFile, plan);
  const { base } = unmerged;
  const outputNames = base.graph.outputs.map((o) => o.name);
  const adapterFeeds = (zeroB: boolean) => {
    const feeds: Record<string, ort.Tensor> = {};
    const shapes = new Map<string, readonly number[]>([...plan.saved.map((s) => [s.input, s.shape] as const), ...unmerged.adapters.flatMap((a) => [[a.aInput, a.shapeA], [a.bInput, a.shapeB]] as const)]);
    for (const [name, values] of unmergedValues(unmerged, plan, zeroB)) feeds[name] = new ort.Tensor('float32', values, shapes.get(name));
    return feeds;
  };
  const session = await openUnmerged(unmerged.model, unmerged.external, options);
  const reference: { unmerged: ort.InferenceSession.ReturnType; base: ort.InferenceSession.ReturnType }[] = [];
  try {
    for (const probe of options.probes) {
      const feeds = batchFeeds(base, probe.batch);
      reference.push({
        unmerged: await session.session.run({ ...feeds, ...adapterFeeds(false) }),
        base: await session.session.run({ ...feeds, ...adapterFeeds(true) }),
      });
    }
  } finally {
    await session.session.release();
  }
  const merged = await openModelSession(readModelFile(options.mergedModelFile), { device: options.device ?? 'cpu', threads: options.threads, onNotice: options.onNotice });
  const comparisons: OutputComparison[] = [];
  try {
    for (const [k, probe] of options.probes.entries()) {
      const out = await merged.session.run(batchFeeds(base, probe.batch));
      for (const name of outputNames) {
        const m = out[name];
        if (!m || !['float32', 'float16', 'float64'].includes(m.type)) continue;
        const u = floats(reference[k].unmerged[name]);
        const b = floats(reference[k].base[name]);
        const diff = maxAbsDiff(floats(m), u);
        const scale = maxAbs(u);
        const relativeDiff = scale > 0 ? diff / scale : diff;
        const adapterEffect = maxAbsDiff(u, b) / (maxAbs(b) || 1);
        comparisons.push({ task: probe.task, output: name, rows: probe.batch.batchSize, maxAbsDiff: diff, scale, relativeDiff, adapterEffect, pass: relativeDiff <= tolerance.relative });
      }
    }
  } finally {
    await merged.session.release();
  }
  const maxRelativeDiff = comparisons.reduce((m, c) => Math.max(m, c.relativeDiff), 0);
  return { tolerance, provider: merged.provider, comparisons, maxRelativeDiff, pass: comparisons.length > 0 && comparisons.every((c) => c.pass) };
}
