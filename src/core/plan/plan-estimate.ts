// The plan's step time and memory: bench/step-estimate.ts on the experiment's base model, targets, rank and
// micro-batch, with this machine's SGEMM rate measured once and kept in the preview cache (it is what makes a
// cold estimate take seconds). An optimizer step runs training.gradAccumulation micro-batches. With padding
// "longest" a batch is as long as its longest row, not seqLength (the demo: 26 tokens of 64), so the
// sequence length estimated is the longest of the preview batches, which are collated as training batches.
import * as os from 'os';
import { estimateTrainingStep } from '../bench/step-estimate';
import type { PlanEstimate } from '../../protocol/plan-messages';
import { measureSgemmGflops } from '../bench/sgemm-peak';
import { PreviewCache } from '../run-folder/preview-cache';
import { Batch } from '../io/batch-file';
import { ExperimentSetup } from '../train/experiment-setup';
import { digestOf } from './preview-cache-keys';

function machineKey(device: string, threads: number): string {
  const cpus = os.cpus();
  return digestOf({ host: os.hostname(), cpu: cpus[0]?.model ?? 'unknown', cores: cpus.length, device, threads });
}

/** The estimate, or a sentence saying why there is none (sequence classification: the profile feeds token labels). */
export async function planEstimate(setup: ExperimentSetup, preview: readonly (readonly Batch[])[], cache?: PreviewCache, onNotice?: (m: string) => void): Promise<PlanEstimate | string> {
  const { config, modules, head } = setup;
  const { seqLength, padding } = config.training;
  const longest = Math.max(0, ...preview.flatMap((batches) => batches.map((b) => b.seqLength)));
  const [seq, seqReason] =
    padding === 'longest' && longest > 0 && longest < seqLength
      ? [longest, `the longest preview batch (padding "longest"; batches reach at most seqLength ${seqLength})`]
      : [seqLength, 'training.seqLength'];
  if (head !== 'causal_lm') return 'no step estimate for sequence classification yet (the profiled steps feed token labels)';
  const threads = config.threads;
  const key = machineKey(config.device, threads);
  let sgemmPeakGflops = cache?.readMachine(key)?.sgemmPeakGflops;
  if (!(sgemmPeakGflops! > 0)) {
    sgemmPeakGflops = await measureSgemmGflops({ device: config.device, threads });
    cache?.writeMachine(key, { sgemmPeakGflops });
  }
  const estimate = await estimateTrainingStep(setup.model, {
    modules,
    rank: config.lora.r,
    alpha: config.lora.alpha,
    head,
    batch: config.training.batchSize,
    seq,
    vocabSize: setup.vocabSize ?? setup.tokenizer.vocabSize,
    threads,
    device: config.device,
    sgemmPeakGflops,
    onNotice,
  });
  const optimizerStepMs = estimate.stepMs * config.training.gradAccumulation;
  return { ...estimate, seqReason, gradAccumulation: config.training.gradAccumulation, optimizerStepMs, runMinutes: (optimizerStepMs * setup.totalSteps) / 60000 };
}
