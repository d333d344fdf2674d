// The plan's step time and memory: bench/step-estimate.ts on the experiment's base model, targets, rank and
// micro-batch. An optimizer step runs training.gradAccumulation micro-batches. With padding "longest" a batch
// is as long as its longest row, not seqLength (the demo: 26 tokens of 64), so the sequence length estimated
// is the longest of the preview batches, which are collated as training batches.
// Cached beside the preview (run-folder/preview-cache.ts): this machine's SGEMM rate, measured once, and the
// profiled estimate, keyed by what shapes the training step (model files, targets, r, micro-batch, length,
// device, threads), so a change of τ or γ does not profile again; the free memory and its warning are
// always read anew.
import * as os from 'os';
import { StepEstimate, estimateTrainingStep, machineMemory } from '../bench/step-estimate';
import type { PlanEstimate } from '../../protocol/plan-messages';
import { measureSgemmGflops } from '../bench/sgemm-peak';
import { PreviewCache } from '../run-folder/preview-cache';
import { Batch } from '../io/batch-file';
import { ExperimentSetup } from '../train/experiment-setup';
import { PREVIEW_CACHE_VERSION, digestOf, modelIdentity } from './preview-cache-keys';

function machineKey(device: string, threads: number): string {
  const cpus = os.cpus();
  return digestOf({ host: os.hostname(), cpu: cpus[0]?.model ?? 'unknown', cores: cpus.length, device, threads });
}

/** The sequence length real batches have, and why. */
function estimatedLength(setup: ExperimentSetup, preview: readonly (readonly Batch[])[]): [number, string] {
  const { seqLength, padding } = setup.config.training;
  const longest = Math.max(0, ...preview.flatMap((batches) => batches.map((b) => b.seqLength)));
  return padding === 'longest' && longest > 0 && longest < seqLength
    ? [longest, `the longest preview batch (padding "longest"; batches reach at most seqLength ${seqLength})`]
    : [seqLength, 'training.seqLength'];
}

export async function planEstimate(setup: ExperimentSetup, preview: readonly (readonly Batch[])[], cache?: PreviewCache, onNotice?: (m: string) => void): Promise<PlanEstimate> {
  const { config, modules, head } = setup;
  const [seq, seqReason] = estimatedLength(setup, preview);
  const { device, threads } = config;
  const machine = machineKey(device, threads);
  let sgemmPeakGflops = cache?.readMachine(machine)?.sgemmPeakGflops;
  if (!(sgemmPeakGflops! > 0)) {
    sgemmPeakGflops = await measureSgemmGflops({ device, threads });
    cache?.writeMachine(machine, { sgemmPeakGflops });
  }
  const vocabSize = setup.vocabSize ?? setup.tokenizer.vocabSize;
  const { r, alpha } = config.lora;
  const { batchSize: batch } = config.training;
  const key = digestOf({
    version: PREVIEW_CACHE_VERSION,
    machine,
    sgemmPeakGflops,
    model: modelIdentity(config.baseModel, setup.model),
    modules: modules.map((m) => `${m.peftName} ${m.dIn}x${m.dOut}`),
    r,
    alpha,
    head,
    batch,
    seq,
    vocabSize,
  });
  const cached = cache?.readStepEstimate<StepEstimate>(key);
  const fromCache = cached?.batch === batch && cached.seq === seq;
  let estimate: StepEstimate;
  if (fromCache) {
    estimate = { ...cached!, ...machineMemory(cached!.peakBytes, batch, seq) };
  } else {
    estimate = await estimateTrainingStep(setup.model, { modules, rank: r, alpha, head, batch, seq, vocabSize, threads, device, sgemmPeakGflops, onNotice });
    cache?.writeStepEstimate(key, estimate);
  }
  const optimizerStepMs = estimate.stepMs * config.training.gradAccumulation;
  return {
    ...estimate,
    seqReason,
    fromCache,
    gradAccumulation: config.training.gradAccumulation,
    optimizerStepMs,
    runMinutes: (optimizerStepMs * setup.totalSteps) / 60000,
  };
}
