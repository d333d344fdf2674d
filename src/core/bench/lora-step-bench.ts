// The training-step benchmark: forward + backward in ONNX Runtime and AdamW on the adapters in TypeScript,
// timed over n steps on a synthetic batch. Reports the median step time, matmul GFLOP/s, and the step's
// peak memory next to the budget "base weights + activations of one forward pass".
import * as ort from 'onnxruntime-node';
import { Rng } from '../data/rng';
import { Batch } from '../io/batch-file';
import { InjectedAdapter } from '../lora/inject-lora';
import { ResolvedModule } from '../lora/linear-modules';
import { ModelProto } from '../onnx/types';
import { AdamW } from '../optim/adamw';
import { probeTensorInfo } from '../runtime/probe-tensor-info';
import { Device } from '../runtime/session';
import { batchFeeds } from '../train/batch-feeds';
import { buildLoraTrainingGraph, adapterTensor } from '../train/lora-training-graph';
import { TrainStepSession } from '../train/train-step-session';
import { countMatmulFlops, intermediateBytes } from './count-flops';
import { measureSgemmGflops } from './sgemm-peak';

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
  onNotice?: (m: string) => void;
}

export interface BenchResult {
  workload: string;
  provider: string;
  threads: number;
  steps: number;
  stepMs: number;
  minMs: number;
  gflopPerStep: number;
  gflops: number;
  peakStepBytes: number;
  budgetBytes: number;
  memoryRatio: number;
  /** Float32 GEMM throughput of this machine at the same thread count (the practical peak). */
  sgemmPeakGflops: number;
  fractionOfPeak: number;
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
  global.gc?.();
  const rssBefore = process.memoryUsage().rss;
  const session = await TrainStepSession.open(graph, { device: options.device, threads: options.threads, onNotice: options.onNotice });
  const times: number[] = [];
  const warmup = options.warmup ?? 3;
  for (let step = 0; step < options.steps + warmup; step++) {
    const t0 = performance.now();
    const result = await session.run(batch, params);
    optimizer.step(params, result.grads);
    if (step >= warmup) times.push(performance.now() - t0);
  }
  const peakStepBytes = process.resourceUsage().maxRSS * 1024 - rssBefore;
  await session.release();

  // Work and memory budget from full-size probes (after timing, so their memory does not count).
  const fullFeeds: Record<string, ort.Tensor> = batchFeeds(graph.model, batch, graph.head);
  for (const a of graph.adapters) {
    fullFeeds[a.aInput] = adapterTensor(params.get(a.aInput)!, a.shapeA, 'float32');
    fullFeeds[a.bInput] = adapterTensor(params.get(a.bInput)!, a.shapeB, 'float32');
  }
  const trainInfos = await probeTensorInfo(graph.model, fullFeeds);
  const flops = countMatmulFlops(graph.model.graph, trainInfos);
  const forwardInfos = await probeTensorInfo(base, batchFeeds(base, batch));
  const weightBytes = base.graph.initializers.reduce((s, t) => s + (t.raw?.length ?? 0), 0);
  const budgetBytes = weightBytes + intermediateBytes(base.graph, forwardInfos);
  const stepMs = median(times);
  const sgemmPeakGflops = await measureSgemmGflops({ device: options.device, threads: options.threads });
  return {
    workload: `b${options.batchSize} s${options.seqLength} r${options.rank} ${options.modules.length} modules`,
    provider: session.provider,
    threads: options.threads,
    steps: options.steps,
    stepMs,
    minMs: Math.min(...times),
    gflopPerStep: flops / 1e9,
    gflops: flops / 1e9 / (stepMs / 1000),
    peakStepBytes,
    budgetBytes,
    memoryRatio: peakStepBytes / budgetBytes,
    sgemmPeakGflops,
    fractionOfPeak: flops / 1e9 / (stepMs / 1000) / sgemmPeakGflops,
  };
}
