// Host ⇄ training worker (child_process.fork IPC). The worker runs the same core as `thanora train`;
// nothing throws across this boundary: failures arrive as `failed` messages or as the process exit.
import type { PlaygroundRequest, PlaygroundResult } from './playground';
import type { RunEvent } from './run-events';

export type WorkerDevice = 'auto' | 'cuda' | 'cpu';

export interface StartTrainingRequest {
  type: 'start';
  experimentFile: string;
  resumeFrom?: string;
  device?: WorkerDevice;
  /** 0 = ONNX Runtime chooses. */
  threads?: number;
  runsDir?: string;
  /** The workspace folder of the experiment: its `output` must stay inside (see the schema's outputOutsideWorkspace). */
  workspaceRoot?: string;
}

/** Cooperative stop: the trainer finishes the current step, checkpoints, and ends with state "stopped". */
export interface StopTrainingRequest {
  type: 'stop';
}

/** Merge a run (its last checkpoint) or a checkpoint folder into the base model, then verify it. */
export interface MergeRequest {
  type: 'merge';
  input: string;
  outDir?: string;
}

/** Export the experiment as a training job for Hugging Face Accelerate (core/export-job): HASI runs in the worker. */
export interface ExportJobRequest {
  type: 'exportJob';
  experimentFile: string;
  /** The new job folder (absent or empty). */
  outDir: string;
  /** The Hugging Face folder of the base, when the experiment's model was not made by `thanora import`. */
  hfModel?: string;
}

/** The playground: one prompt through a run's base and tuned model (core/generate/side-by-side.ts). */
export interface GenerateRequest extends PlaygroundRequest {
  type: 'generate';
  device?: WorkerDevice;
  threads?: number;
}

export type HostToWorkerMessage = StartTrainingRequest | StopTrainingRequest | MergeRequest | ExportJobRequest | GenerateRequest;

/** One metrics.jsonl record, forwarded as soon as the trainer writes it. */
export interface WorkerRunEvent {
  type: 'event';
  runDir: string;
  event: RunEvent;
}

export interface WorkerLog {
  type: 'log';
  level: 'info' | 'warn' | 'error';
  message: string;
}

export interface WorkerFinished {
  type: 'finished';
  runDir: string;
  state: 'finished' | 'stopped' | 'failed' | 'diverged';
  /** With state "failed" or "diverged": what went wrong (the trainer also wrote it to status.json). */
  error?: string;
}

/** runTraining rejected (bad experiment file, model load error...): the message says what and how to fix. */
export interface WorkerFailed {
  type: 'failed';
  runDir?: string;
  error: string;
}

export interface WorkerMerged {
  type: 'merged';
  outDir: string;
  modelFile: string;
  reportFile: string;
  /** null when verification did not run. */
  pass: boolean | null;
  maxRelativeDiff: number | null;
  tolerance: number | null;
}

export interface WorkerJobExported {
  type: 'jobExported';
  dir: string;
  readmeFile: string;
  files: number;
  totalSteps: number;
}

export interface WorkerGenerated {
  type: 'generated';
  result: PlaygroundResult;
}

export type WorkerToHostMessage = WorkerRunEvent | WorkerLog | WorkerFinished | WorkerFailed | WorkerMerged | WorkerJobExported | WorkerGenerated;
