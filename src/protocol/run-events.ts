// The run folder's record, shared by the trainer (writer), the CLI, the extension host and the dashboard
// (readers). `<output>/<run-id>/metrics.jsonl` holds one RunEvent per line, in the order they happened;
// `status.json` holds the RunStatus. Names of modules are PEFT names; task names are the experiment's.

import type { MethodName } from '../core/method/method-registry';

export type { MethodName };

/**
 * What a run is doing before its first step, k of n done: the data check (tasks whose files are read, tokenized
 * and validated; it ends before the run folder exists, so its events are written there once the folder is made,
 * with the times they happened, and a run whose data is bad has no folder), the preview passes (activation covariances), the
 * per-module initialisation (HASI's context SVDs and allocation, PiSSA's SVD, LoRA's random A), building the
 * training graph, opening the ONNX Runtime sessions, the evaluation at step 0, the first step. Written before
 * the start event of its session (the sessions open before it) and after it (eval, first step); a step event
 * ends the phases. Runs written before phases existed have none, and read the same otherwise.
 */
export interface PhaseEvent {
  type: 'phase';
  phase: 'data' | 'preview' | 'init' | 'graph' | 'sessions' | 'eval' | 'first-step';
  /** Parts done and in all (tasks checked, preview passes, modules or layers initialised); 0 of 1 for a phase just begun. */
  done: number;
  total: number;
  time: string;
}

/** First line of every metrics.jsonl, but for the phase events of preparing the run. */
export interface RunStartEvent {
  type: 'start';
  time: string;
  runId: string;
  method: MethodName;
  /** Short label for comparisons, e.g. "thanora", "thanora λ=0", "lora". */
  label: string;
  tasks: string[];
  modules: string[];
  /** Transformer layer index of each module (same order as `modules`), −1 when unknown. */
  layers: number[];
  totalSteps: number;
  rank: number;
  provider: 'cpu' | 'cuda';
  /** Why a run that could use the GPU (device "auto") runs on CPU; absent otherwise and in older runs. */
  fallbackReason?: string;
  /** Step the run (re)started from: 0, or the checkpoint step when resumed. */
  fromStep: number;
}

/** Rank allocation (HASI) per module; absent for baselines without task blocks. */
export interface AllocationEvent {
  type: 'allocation';
  step: number;
  modules: {
    module: string;
    layer: number;
    /** r_t per task, in `tasks` order. */
    ranks: number[];
    cooperativeRank: number;
    /** Normalised spectral entropy H_t per task. */
    entropies: number[];
  }[];
}

export interface StepEvent {
  type: 'step';
  step: number;
  time: string;
  loss: number;
  /** Task loss alone (without λ·SPR). */
  taskLoss: number;
  /** Per-task mean loss on this batch; null for a task absent from the batch. */
  perTaskLoss: (number | null)[];
  /** Raw L_SPR (before λ); null when SPR is off. */
  sprLoss: number | null;
  lr: number;
  gradNorm: number;
  tokensPerSecond: number;
  stepMs: number;
}

export interface PairAngles {
  /** Indices into `tasks`. */
  pair: [number, number];
  /** Principal angles between span(A_iᵀ) and span(A_jᵀ), degrees; NaN (null in JSON) when a block is all zero. */
  meanA: number;
  minA: number;
  /** Between span(B_i) and span(B_j). */
  meanB: number;
  minB: number;
}

export interface AnglesEvent {
  type: 'angles';
  step: number;
  modules: {
    module: string;
    layer: number;
    pairs: PairAngles[];
    /** Roy–Vetterli effective rank of each task block (tasks order), of the cooperative block, of ΔW. */
    effectiveRank: { tasks: number[]; cooperative: number | null; delta: number };
  }[];
  /** Averages over the modules of each layer. */
  layers: { layer: number; pairs: PairAngles[] }[];
}

export interface EvalEvent {
  type: 'eval';
  step: number;
  tasks: { task: string; loss: number; accuracy: number; examples: number }[];
}

export interface CheckpointEvent {
  type: 'checkpoint';
  step: number;
  path: string;
  /** This step's eval is the best so far by training.best.metric. */
  best?: boolean;
}

/** The loss says training may have diverged (src/core/train/divergence-monitor.ts); each rule once per session. */
export interface RunWarningEvent {
  type: 'warning';
  step: number;
  rule: 'uniform' | 'rising-eval';
  message: string;
}

export interface EndEvent {
  type: 'end';
  step: number;
  time: string;
  /**
   * 'interrupted': the process died without ending the run (written when the run is next opened to resume).
   * 'diverged': stopped by training.onDivergence = "stop" (error holds the warning); no checkpoint was written
   * after the warning, so the last checkpoint precedes it.
   */
  state: 'finished' | 'stopped' | 'failed' | 'interrupted' | 'diverged';
  error?: string;
  /** Set when training.best.patience ended the run before its last step. */
  earlyStop?: string;
}

export type RunEvent = PhaseEvent | RunStartEvent | AllocationEvent | StepEvent | AnglesEvent | EvalEvent | CheckpointEvent | RunWarningEvent | EndEvent;

export interface RunStatus {
  /**
   * As written by the run's process, except 'interrupted', which readers report for a 'running' run whose
   * process is gone (killed, crashed, machine restarted): it can be resumed from its last checkpoint.
   */
  state: 'running' | 'finished' | 'stopped' | 'failed' | 'interrupted' | 'diverged';
  runId: string;
  step: number;
  totalSteps: number;
  /** Last checkpoint folder, relative to the run folder. */
  lastCheckpoint?: string;
  /** The best eval so far by training.best.metric and its checkpoint folder (relative); absent before the first. */
  best?: BestRecord;
  error?: string;
  pid?: number;
  updated: string;
}

export interface BestRecord {
  /** "mean-accuracy" or "accuracy:<task>". */
  metric: string;
  value: number;
  step: number;
  checkpoint: string;
  /** Evals since that one without a new best (for patience). */
  evalsSince: number;
}

/** One task's eval accuracy in a run: of the base model (the step-0 eval), the last eval, the best one. */
export interface TaskResult {
  task: string;
  /** null when the run has no step-0 eval (training.evalEvery 0, or a resumed session). */
  base: number | null;
  final: number;
  best: number;
  bestStep: number;
}

/** A run's row of the runs table (src/core/run-folder/run-results.ts). */
export interface RunResults {
  /** config.json flattened to dotted keys ("lora.r", "method.lambda", "tasks.0.weight"). */
  settings: Record<string, string | number | boolean | null>;
  accuracy: TaskResult[];
}

/** One run folder as listed in the dashboard's run picker and runs table. */
export interface RunSummary {
  runDir: string;
  runId: string;
  /** Folder holding the runs of one experiment (the experiment's `output`); runs sharing it are comparable. */
  experimentDir: string;
  label: string;
  method: MethodName | 'unknown';
  state: RunStatus['state'] | 'unknown';
  step: number;
  totalSteps: number;
  results: RunResults;
  /** The user's name for the run and their notes (notes.json), when set from the runs table. */
  name?: string;
  notes?: string;
}

/** What the user wrote about a run in the runs table: notes.json in the run folder (the trainer never writes it). */
export interface RunNotes {
  name?: string;
  notes?: string;
}

/** Longest name and notes kept; longer text is refused, not cut. */
export const runNotesLimits = { name: 200, notes: 10000 } as const;

export const RUN_FILES = {
  config: 'config.json',
  metrics: 'metrics.jsonl',
  status: 'status.json',
  checkpoints: 'checkpoints',
  merged: 'merged',
  /** Held by the one process writing the run (src/core/io/file-lock.ts). */
  lock: 'run.lock',
  /** RunNotes: the run's name and notes from the runs table. */
  notes: 'notes.json',
} as const;

/**
 * A checkpoint folder `<run>/checkpoints/step-<8-digit step>/` holds:
 * - adapter_model.safetensors + adapter_config.json: the trained A, B in PEFT layout (keys
 *   `base_model.model.<module>.lora_A.weight`) and the modules trained in full (modules_to_save, keys
 *   `base_model.model.<module>.weight`), a plain PEFT LoraConfig with the run's task_type;
 * - thanora_adapter.json: "thanora", a CheckpointMeta (older checkpoints kept it in adapter_config.json);
 * - init_adapter.safetensors (residual methods only): A₀, B₀, the task blocks subtracted from W at init,
 *   same keys; the frozen base of training is W' = W − s·B₀A₀, recomputed from the base model;
 * - optimizer.safetensors: AdamW state; trainer_state.json: TrainerState.
 * The folder is written under a temp name and renamed, so a checkpoint is either whole or absent.
 */
export interface CheckpointMeta {
  method: MethodName;
  tasks: string[];
  /** Per module: rows of A (= columns of B) of each task block in task order, then the cooperative block. */
  blocks: Record<string, { taskRanks: number[]; cooperativeRank: number }>;
  /** True when W was replaced by W' = W − s·B₀A₀ (thanora, pissa, corda). */
  residual: boolean;
  baseModel: string;
  /** PEFT name -> { initializer, node } in the base model. */
  moduleMap: Record<string, { initializer: string; node: string; op: string; stored: string }>;
  step: number;
}

export interface TrainerState {
  step: number;
  totalSteps: number;
  rng: unknown;
  mixer: unknown;
  /** Data-order and dropout RNG states etc., enough to reproduce the next steps exactly. */
  extra?: Record<string, unknown>;
}
