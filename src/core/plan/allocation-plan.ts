// `thanora plan`: what HASI will allocate before any training, from the trainer's own preview and SVDs
// (preview-spectra.ts) and its own allocation (thanora/allocate-ranks.ts allocateModules, with the layer keys
// and options hasi.ts uses), so the ranks are those the trainer records at step 0. Per module: r_t per task,
// r_c and H_t; per layer: the means; per task: mean r_t, mean H_t and its trainable parameters
// Σ_modules r_t·(d_in + d_out); and the step-time and memory estimate.
import * as path from 'path';
import { ExperimentConfig } from '../experiment/experiment-config';
import type { AllocationPlan, PlanEstimate, PlanModule, PlanLayer, PlanTask, PreviewCacheReport } from '../../protocol/plan-messages';
import { loadExperiment } from '../experiment/load-experiment';
import { ResolvedModule } from '../lora/linear-modules';
import { layerIndexOf, moduleKind } from '../method/layer-index';
import { checkMethodRequest } from '../method/method-request';
import { hasTaskBlocks } from '../method/method-registry';
import { PreviewCache, previewCacheDir } from '../run-folder/preview-cache';
import { allocateModules } from '../thanora/allocate-ranks';
import { ExperimentSetup, setupExperiment } from '../train/experiment-setup';
import { previewBatches } from '../train/method-state';
import { planEstimate } from './plan-estimate';
import { previewSpectra } from './preview-spectra';

export type { AllocationPlan, PlanModule, PlanLayer, PlanTask } from '../../protocol/plan-messages';

export interface PlanOptions {
  /** Overrides the experiment's output folder (where the cache lives), as `thanora train --runs-dir`. */
  runsDir?: string;
  /** Default true. */
  cache?: boolean;
  /** Default true. */
  estimate?: boolean;
  covarianceCacheBytes?: number;
  onProgress?: (line: string) => void;
  onNotice?: (line: string) => void;
}

const mean = (xs: readonly number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
const width = (m: ResolvedModule) => m.dIn + m.dOut;

function layerSummaries(modules: readonly PlanModule[], taskCount: number): PlanLayer[] {
  const byLayer = new Map<number, PlanModule[]>();
  for (const m of modules) byLayer.set(m.layer, [...(byLayer.get(m.layer) ?? []), m]);
  return [...byLayer.entries()].map(([layer, ms]) => ({
    layer,
    modules: ms.length,
    meanRanks: Array.from({ length: taskCount }, (_, t) => mean(ms.map((m) => m.ranks[t] ?? 0))),
    meanEntropies: ms[0].entropies ? Array.from({ length: taskCount }, (_, t) => mean(ms.map((m) => m.entropies![t]))) : [],
  }));
}

/** The experiment as `thanora train` loads it (runsDir as --runs-dir; workspaceRoot as VS Code passes it). */
export function loadPlanSetup(experimentFile: string, options: { runsDir?: string; workspaceRoot?: string } = {}): ExperimentSetup {
  let config: ExperimentConfig = loadExperiment(experimentFile, { workspaceRoot: options.workspaceRoot, outputReplaced: options.runsDir !== undefined });
  if (options.runsDir) config = { ...config, output: path.resolve(options.runsDir) };
  return setupExperiment(config);
}

export async function planAllocation(setup: ExperimentSetup, options: PlanOptions = {}): Promise<AllocationPlan> {
  const started = Date.now();
  const { config, modules } = setup;
  const { lora, method } = config;
  const tasks = config.tasks.map((t) => t.name);
  const cache = options.cache === false ? undefined : new PreviewCache(previewCacheDir(config.output));
  const layers = new Map(modules.map((m) => [m.peftName, layerIndexOf(m.peftName)]));
  const planModules: PlanModule[] = modules.map((m) => ({
    module: m.peftName,
    layer: layers.get(m.peftName)!,
    kind: moduleKind(m.peftName, layers.get(m.peftName)!),
    dIn: m.dIn,
    dOut: m.dOut,
    ranks: [],
    cooperativeRank: lora.r,
  }));
  let cacheReport: PreviewCacheReport | undefined;
  let perTask: PlanTask[] = [];
  let previewMs = 0;
  let svdMs = 0;
  // The trainer's preview batches: HASI's input, and the padded lengths of real batches for the estimate.
  const batches = previewBatches(setup);
  // What the trainer refuses before its preview, the plan refuses with the same words.
  checkMethodRequest({ lora: { r: lora.r, alpha: lora.alpha }, method, tasks, seed: config.training.seed, modules, preview: batches, head: setup.head });
  if (hasTaskBlocks(method.name)) {
    const preview = await previewSpectra({ setup, preview: batches, cache, covarianceCacheBytes: options.covarianceCacheBytes, onProgress: options.onProgress });
    ({ previewMs, svdMs } = preview);
    cacheReport = preview.cache;
    // As hasi.ts: the layer key is the layer index as a string, the options those of the method section.
    const allocations = allocateModules(
      modules.map((m) => ({ name: m.peftName, layer: String(layers.get(m.peftName)), rank: lora.r, entropies: preview.spectra.get(m.peftName)!.entropies })),
      method.allocation,
      { temperature: method.temperature, cooperativeRank: method.cooperativeRank },
    );
    planModules.forEach((p) => {
      const a = allocations.get(p.module)!;
      p.ranks = a.taskRanks;
      p.cooperativeRank = a.cooperativeRank;
      p.entropies = preview.spectra.get(p.module)!.entropies;
    });
    perTask = tasks.map((task, t) => ({
      task,
      meanRank: mean(planModules.map((m) => m.ranks[t])),
      meanEntropy: mean(planModules.map((m) => m.entropies![t])),
      parameters: modules.reduce((s, m, k) => s + planModules[k].ranks[t] * width(m), 0),
      previewTokens: preview.tokenCounts[t],
    }));
  }
  let estimate: PlanEstimate | undefined;
  const estimateStarted = Date.now();
  if (options.estimate !== false) {
    options.onProgress?.('step estimate: profiling four tiny training steps');
    estimate = await planEstimate(setup, batches, cache, options.onNotice);
  }
  const estimateMs = Date.now() - estimateStarted;
  if (cacheReport && cache?.writeProblem) cacheReport.writeProblem = cache.writeProblem;
  return {
    experiment: config.file,
    method: method.name,
    tasks,
    rank: lora.r,
    alpha: lora.alpha,
    allocation: method.allocation,
    temperature: method.temperature,
    modules: planModules,
    layers: layerSummaries(planModules, tasks.length),
    perTask,
    cooperative: {
      meanRank: mean(planModules.map((m) => m.cooperativeRank)),
      parameters: modules.reduce((s, m, k) => s + planModules[k].cooperativeRank * width(m), 0),
    },
    trainableParameters: modules.reduce((s, m) => s + lora.r * width(m), 0),
    estimate,
    noEstimate: estimate ? undefined : 'not asked for (--no-estimate)',
    cache: cacheReport,
    timings: { totalMs: Date.now() - started, previewMs, svdMs, estimateMs },
  };
}
