// The allocation preview's two boundaries. Host ⇄ plan worker (child_process.fork IPC): one request, progress
// lines, then `planned` or `failed`, and the worker exits. Host ⇄ allocation panel webview: the webview posts
// `ready` first (and `refresh` to plan again); the host sends the state of the plan. Nothing throws across.
// The plan itself is plain data (core/plan/allocation-plan.ts computes it), defined here so that the webview
// can type it without importing the core.
import type { MethodName } from './run-events';

export interface PlanModule {
  module: string;
  layer: number;
  /** The name within its layer (`self_attn.q_proj`), the heatmap's column. */
  kind: string;
  dIn: number;
  dOut: number;
  /** r_t per task (methods with task blocks: thanora); [] for the others, whose whole rank r is one block. */
  ranks: number[];
  cooperativeRank: number;
  /** H_t per task (thanora). */
  entropies?: number[];
}

export interface PlanLayer {
  layer: number;
  modules: number;
  meanRanks: number[];
  /** [] for the baselines. */
  meanEntropies: number[];
}

export interface PlanTask {
  task: string;
  meanRank: number;
  meanEntropy: number;
  parameters: number;
  previewTokens: number;
}

export interface AllocationPlan {
  experiment: string;
  method: MethodName;
  tasks: string[];
  rank: number;
  alpha: number;
  allocation: 'module' | 'layer';
  temperature: number | 'uniform';
  modules: PlanModule[];
  layers: PlanLayer[];
  /** Empty for the baselines. */
  perTask: PlanTask[];
  cooperative: { meanRank: number; parameters: number };
  /** Σ_modules r·(d_in + d_out): every row of A and column of B. */
  trainableParameters: number;
  estimate?: PlanEstimate;
  /** Why there is no estimate (not asked for). */
  noEstimate?: string;
  cache?: PreviewCacheReport;
  timings: { totalMs: number; previewMs: number; svdMs: number; estimateMs: number };
}

export interface CacheCounts {
  hits: number;
  misses: number;
}

export interface PreviewCacheReport {
  /** The cache folder, or undefined when the plan ran without one. */
  dir?: string;
  /** Modules whose spectra came from the cache / were computed. */
  spectra: CacheCounts;
  /** Among the computed ones: modules whose covariances came from the cache / were previewed. */
  covariances: CacheCounts;
  /** Why covariances are not kept (too large), when they are not. */
  covariancesNotStored?: string;
  /** Why the cache could not be written (the plan is complete; the next one will not be faster). */
  writeProblem?: string;
}

/** What a training step will cost (core/bench/step-estimate.ts computes it). */
export interface StepEstimate {
  batch: number;
  seq: number;
  /** The weights as a session holds them (float16/bfloat16 computed in float32: twice their file size). */
  weightBytes: number;
  activationBytes: number;
  /** Adapter values, gradients and AdamW's two moments, float32. */
  adapterStateBytes: number;
  peakBytes: number;
  gflopPerStep: number;
  sgemmPeakGflops: number;
  stepMs: number;
  /** The machine's memory, and what is free now. */
  machineBytes: number;
  availableBytes: number;
  /** A sentence when the step will not fit (or hardly), with what to change. */
  warning?: string;
}

/** The step estimate and what it means for an optimizer step and the run. */
export interface PlanEstimate extends StepEstimate {
  /** Why `seq` is the length estimated. */
  seqReason: string;
  /** The profiled numbers came from the preview cache (free memory and its warning are always current). */
  fromCache: boolean;
  gradAccumulation: number;
  /** stepMs × gradAccumulation. */
  optimizerStepMs: number;
  /** optimizerStepMs × the run's steps. */
  runMinutes: number;
}

export interface PlanRequest {
  type: 'plan';
  experimentFile: string;
  /** The workspace folder of the experiment: its `output` (where the cache lives) must stay inside. */
  workspaceRoot?: string;
}

export type PlanWorkerMessage =
  | { type: 'progress'; message: string }
  | { type: 'planned'; plan: AllocationPlan }
  | { type: 'failed'; error: string };

export type HostToPlanPanelMessage =
  | { type: 'planning'; experiment: string; message: string }
  | { type: 'plan'; plan: AllocationPlan }
  | { type: 'planFailed'; experiment: string; error: string };

export type PlanPanelToHostMessage = { type: 'ready' } | { type: 'refresh' };
