// What a training step will cost before training starts: the whole process's peak memory and the step time at
// the experiment's batch, from four tiny profiled steps of the real training graph (so every export, fusion and
// loss head is covered) extrapolated in the sequence length. A step's activations and work are, for b rows of
// s tokens, k + b·(a·s + c·s²): the s² part is attention, the constant the adapter-sized tensors. Three runs
// at b = 1 fit (k, a, c); a fourth at b = 2 checks the fit. Step time = the matrix products at the machine's
// measured SGEMM rate (×0.8, what real LoRA steps reach; see README › Performance) + the other kernels,
// extrapolated the same way.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Batch } from '../io/batch-file';
import { ResolvedModule } from '../lora/linear-modules';
import { allTensorBytes } from '../onnx/external-data';
import { DataType, ModelProto, dataTypeSize } from '../onnx/types';
import { Device } from '../runtime/session';
import type { StepEstimate } from '../../protocol/plan-messages';
import { buildLoraTrainingGraph, TaskHead } from '../train/lora-training-graph';
import { TrainStepSession } from '../train/train-step-session';
import { syntheticBatch } from './lora-step-bench';
import { measureSgemmGflops } from './sgemm-peak';
import { readStepProfiles } from './step-profile';

export type { StepEstimate } from '../../protocol/plan-messages';

/** Fraction of the SGEMM peak a LoRA step's products reach on the CPU (measured by `thanora bench`). */
export const MATMUL_EFFICIENCY = 0.8;
/** Node.js and ONNX Runtime's libraries before any model (measured: 150 MB). */
const RUNTIME_BASE_BYTES = 160 * 2 ** 20;
/** ONNX Runtime's arena holds the activations with some slack (measured at 0.5B: 1.09×). */
const ARENA_SLACK = 1.1;

export interface StepEstimateRequest {
  modules: readonly ResolvedModule[];
  rank: number | Readonly<Record<string, number>>;
  alpha: number | Readonly<Record<string, number>>;
  head: TaskHead;
  batch: number;
  seq: number;
  vocabSize: number;
  threads: number;
  device: Device;
  /** The machine's SGEMM rate when already known (else measured, a few seconds). */
  sgemmPeakGflops?: number;
  onNotice?: (m: string) => void;
}

type Fit = (b: number, s: number) => number;

// k + a·s + c·s² through three points (s_i, y_i) at b = 1; evaluated as k + b·(a·s + c·s²).
function fitQuadratic(points: readonly [number, number][]): Fit {
  const [[s1, y1], [s2, y2], [s3, y3]] = points;
  // Divided differences: c = [y1,y2,y3], a = [y1,y2] − c·(s1 + s2), k = y1 − a·s1 − c·s1².
  const d12 = (y2 - y1) / (s2 - s1);
  const d23 = (y3 - y2) / (s3 - s2);
  const c = (d23 - d12) / (s3 - s1);
  const a = d12 - c * (s1 + s2);
  const k = y1 - a * s1 - c * s1 * s1;
  return (b, s) => Math.max(0, k + b * (a * s + c * s * s));
}

/** The weights' bytes in a CPU session: float16/bfloat16 ones are computed in float32, so they count twice. */
export function weightBytesAsHeld(model: ModelProto): number {
  // Half weights are widened to float32 in the session (widen-half-precision.ts).
  const half = model.graph.initializers.filter((t) => t.dataType === DataType.FLOAT16 || t.dataType === DataType.BFLOAT16);
  const halfBytes = half.reduce((s, t) => s + t.dims.reduce((a, b) => a * b, 1) * dataTypeSize[t.dataType], 0);
  return allTensorBytes(model) + halfBytes;
}

/** MemAvailable on Linux (what can be had without swapping), os.freemem() elsewhere. */
function availableMemory(): number {
  try {
    const m = /MemAvailable:\s+(\d+) kB/.exec(fs.readFileSync('/proc/meminfo', 'utf8'));
    if (m) return Number(m[1]) * 1024;
  } catch {
    // not Linux
  }
  return os.freemem();
}

const gib = (bytes: number) => `${(bytes / 2 ** 30).toFixed(1)} GiB`;

/** The machine's memory, what is free now, and a warning when a step of `peakBytes` will not fit (or hardly). */
export function machineMemory(peakBytes: number, batch: number, seq: number): Pick<StepEstimate, 'machineBytes' | 'availableBytes' | 'warning'> {
  const machineBytes = os.totalmem();
  const availableBytes = availableMemory();
  let warning: string | undefined;
  const smaller = `lower training.batchSize or seqLength (raise training.gradAccumulation to keep the batch per step), or adapt fewer modules`;
  if (peakBytes > 0.95 * machineBytes) {
    warning = `a step of ${batch}×${seq} needs about ${gib(peakBytes)} but this machine has ${gib(machineBytes)}: it will not fit; ${smaller}`;
  } else if (peakBytes > availableBytes) {
    warning = `a step of ${batch}×${seq} needs about ${gib(peakBytes)}; ${gib(availableBytes)} are free now (of ${gib(machineBytes)}): close other programs or ${smaller}`;
  }
  return { machineBytes, availableBytes, warning };
}

// A batch of random ids with the labels the head expects: next tokens [b, s], or one class per row [b].
function probeBatch(b: number, s: number, r: StepEstimateRequest, seed = 0): Batch {
  const batch = syntheticBatch(b, s, r.vocabSize, seed);
  return r.head === 'causal_lm' ? batch : { ...batch, labels: new Int32Array(b), labelsDims: [b] };
}

export async function estimateTrainingStep(base: ModelProto, r: StepEstimateRequest): Promise<StepEstimate> {
  const s1 = Math.min(16, Math.max(4, r.seq));
  const sizes: [number, number][] = [
    [1, s1],
    [1, 2 * s1],
    [1, 4 * s1],
    [2, s1],
  ];
  const graph = await buildLoraTrainingGraph(base, { modules: r.modules, rank: r.rank, alpha: r.alpha, head: r.head }, probeBatch(2, s1, r));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'thanora-estimate-'));
  let profiles;
  try {
    const session = await TrainStepSession.open(graph, { device: r.device, threads: r.threads, onNotice: r.onNotice, profileFilePrefix: path.join(dir, 'p') });
    const values = new Map<string, Float32Array>();
    for (const a of graph.adapters) {
      values.set(a.aInput, new Float32Array(a.shapeA[0] * a.shapeA[1]).fill(0.01));
      values.set(a.bInput, new Float32Array(a.shapeB[0] * a.shapeB[1]).fill(0.01));
    }
    // One unprofiled warm-up run would not help: profiling is on from the start. The first size runs twice.
    for (const [b, s] of [sizes[0], ...sizes]) await session.run(probeBatch(b, s, r, b * 1000 + s), values);
    session.endProfiling();
    await session.release();
    profiles = readStepProfiles(path.join(dir, fs.readdirSync(dir).find((f) => f.endsWith('.json'))!), graph.model.graph.nodes).slice(1);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const at = (k: number) => profiles[k];
  const fit = (y: (k: number) => number) => fitQuadratic([0, 1, 2].map((k) => [sizes[k][1], y(k)] as [number, number]));
  const bytes = fit((k) => at(k).forwardOutputBytes);
  const flops = fit((k) => at(k).matmulFlops);
  const otherMs = fit((k) => at(k).kernelMs - at(k).matmulMs);
  const check = bytes(2, s1);
  if (Math.abs(check - at(3).forwardOutputBytes) > 0.05 * at(3).forwardOutputBytes) {
    r.onNotice?.(`step estimate: activations do not grow linearly with the batch (${check} vs ${at(3).forwardOutputBytes} bytes at 2×${s1}); the memory estimate is rough`);
  }
  const sgemmPeakGflops = r.sgemmPeakGflops ?? (await measureSgemmGflops({ device: r.device, threads: r.threads }));
  const weightBytes = weightBytesAsHeld(base);
  const activationBytes = bytes(r.batch, r.seq);
  const adapterStateBytes = graph.adapters.reduce((s, a) => s + (a.shapeA[0] * a.shapeA[1] + a.shapeB[0] * a.shapeB[1]) * 4 * 4, 0);
  const peakBytes = RUNTIME_BASE_BYTES + weightBytes + ARENA_SLACK * activationBytes + adapterStateBytes;
  const gflopPerStep = flops(r.batch, r.seq) / 1e9;
  const stepMs = (gflopPerStep / (sgemmPeakGflops * MATMUL_EFFICIENCY)) * 1000 + otherMs(r.batch, r.seq);
  const machine = machineMemory(peakBytes, r.batch, r.seq);
  return { batch: r.batch, seq: r.seq, weightBytes, activationBytes, adapterStateBytes, peakBytes, gflopPerStep, sgemmPeakGflops, stepMs, ...machine };
}
