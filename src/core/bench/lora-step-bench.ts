// The training-step benchmark: forward + backward in ONNX Runtime and AdamW on the adapters in TypeScript,
// timed over n steps on a synthetic batch. Reports the median step time, the set-up time (model read → first
// step), matmul GFLOP/s against the machine's measured SGEMM peak, and the whole process's peak memory next
// to the budget "fp32 weights + forward activations of one step". The work and the activation bytes come from
// ONNX Runtime's profile of the first step (step-profile.ts), so nothing runs at full size but the steps.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Rng } from '../data/rng';
import { Batch } from '../io/batch-file';
import { InjectedAdapter } from '../lora/inject-lora';
import { ResolvedModule } from '../lora/linear-modules';
import { allTensorBytes } from '../onnx/external-data';
import { ModelProto } from '../onnx/types';
import { AdamW } from '../optim/adamw';
import { Device } from '../runtime/session';
import { buildLoraTrainingGraph } from '../train/lora-training-graph';
import { TrainStepSession } from '../train/train-step-session';
import { measureSgemmGflops } from './sgemm-peak';
import { OpTime, readStepProfile } from './step-profile';

export interface BenchOptions {
  modules: ResolvedModule[];
  rank: number;
  alpha: number;
  batchSize: number;
  seqLength: number;
  steps: number;
  warmup?: number;
  threads: number;
  device: Device;
  vocabSize: number;
  /** performance.now() when the model started loading (set-up time counts from there). */
  loadStartedMs: number;
  onNotice?: (m: string) => void;
}

export interface BenchResult {
  workload: string;
  provider: string;
  threads: number;
  steps: number;
  stepMs: number;
  minMs: number;
  /** Model read → ready for the first step (graph built, session open), seconds. */
  setupS: number;
  firstStepMs: number;
  gflopPerStep: number;
  gflops: number;
  /** Float32 GEMM throughput of this machine at the same thread count (the practical peak). */
  sgemmPeakGflops: number;
  fractionOfPeak: number;
  /** Peak resident memory of the whole process so far (set-up included). */
  peakRssBytes: number;
  weightBytes: number;
  activationBytes: number;
  /** weights + activations: what one step needs to hold at least. */
  budgetBytes: number;
  memoryRatio: number;
  /** Where the first step's kernel time went (top ops). */
  timeByOp: OpTime[];
}

export function syntheticBatch(batchSize: number, seqLength: number, vocabSize: number, seed = 0): Batch {
  const rng = Rng.fromSeed(seed);
  const ids = Int32Array.from({ length: batchSize * seqLength }, () => Math.floor(rng.nextFloat() * vocabSize));
  return {
    batchSize,
    seqLength,
    inputIds: ids,
    attentionMask: new Int32Array(ids.length).fill(1),
    hasAttentionMask: true,
    labels: ids.slice(),
    labelsDims: [batchSize, seqLength],
  };
}

/** PEFT-style init as in the PyTorch reference: A Kaiming-uniform, B ~ N(0, 0.01²). */
function initAdapters(adapters: readonly InjectedAdapter[], seed: number): Map<string, Float32Array> {
  const rng = Rng.fromSeed(seed);
  const values = new Map<string, Float32Array>();
  for (const a of adapters) {
    const bound = 1 / Math.sqrt(a.shapeA[1]);
    values.set(a.aInput, Float32Array.from({ length: a.shapeA[0] * a.shapeA[1] }, () => rng.uniform(-bound, bound)));
    values.set(a.bInput, Float32Array.from({ length: a.shapeB[0] * a.shapeB[1] }, () => 0.01 * rng.normal()));
  }
  return values;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function benchLoraStep(base: ModelProto, options: BenchOptions): Promise<BenchResult> {
  const batch = syntheticBatch(options.batchSize, options.seqLength, options.vocabSize);
  const graph = await buildLoraTrainingGraph(base, { modules: options.modules, rank: options.rank, alpha: options.alpha, head: 'causal_lm' }, batch);
  const params = initAdapters(graph.adapters, 1);
  const optimizer = new AdamW({ lr: 1e-4, weightDecay: 0 });
  const profileDir = fs.mkdtempSync(path.join(os.tmpdir(), 'thanora-bench-'));
  try {
    const session = await TrainStepSession.open(graph, {
      device: options.device,
      threads: options.threads,
      onNotice: options.onNotice,
      profileFilePrefix: path.join(profileDir, 'step'),
    });
    const setupS = (performance.now() - options.loadStartedMs) / 1000;
    const times: number[] = [];
    const warmup = options.warmup ?? 2;
    let firstStepMs = 0;
    for (let step = 0; step < options.steps + warmup; step++) {
      const t0 = performance.now();
      const result = await session.run(batch, params);
      optimizer.step(params, result.grads);
      const ms = performance.now() - t0;
      if (step === 0) {
        firstStepMs = ms;
        session.endProfiling();
      }
      if (step >= warmup) times.push(ms);
    }
    const peakRssBytes = process.resourceUsage().maxRSS * 1024;
    const provider = session.provider;
    await session.release();
    const profileFile = fs.readdirSync(profileDir).find((f) => f.endsWith('.json'));
    if (!profileFile) throw new Error(`ONNX Runtime wrote no profile of the first step into ${profileDir}`);
    const profile = readStepProfile(path.join(profileDir, profileFile), graph.model.graph.nodes);
    const weightBytes = allTensorBytes(base);
    const budgetBytes = weightBytes + profile.forwardOutputBytes;
    const stepMs = median(times);
    const gflops = profile.matmulFlops / 1e9 / (stepMs / 1000);
    const sgemmPeakGflops = await measureSgemmGflops({ device: options.device, threads: options.threads });
    return {
      workload: `b${options.batchSize} s${options.seqLength} r${options.rank} ${options.modules.length} modules`,
      provider,
      threads: options.threads,
      steps: options.steps,
      stepMs,
      minMs: Math.min(...times),
      setupS,
      firstStepMs,
      gflopPerStep: profile.matmulFlops / 1e9,
      gflops,
      sgemmPeakGflops,
      fractionOfPeak: gflops / sgemmPeakGflops,
      peakRssBytes,
      weightBytes,
      activationBytes: profile.forwardOutputBytes,
      budgetBytes,
      memoryRatio: peakRssBytes / budgetBytes,
      timeByOp: profile.byOp.slice(0, 8).map((o) => ({ ...o, ms: Math.round(o.ms) })),
    };
  } finally {
    if (process.env.THANORA_KEEP_PROFILE) console.error(`profile kept in ${profileDir}`);
    else fs.rmSync(profileDir, { recursive: true, force: true });
  }
}
