// job.json: everything the exported train.py (media/export-job/train.py) reads about the experiment, written by
// export-job.ts. The job folder is also a run folder (config.json, checkpoints/, then metrics.jsonl and
// status.json once train.py runs), so `thanora merge`, `thanora train --resume` and the dashboard read it as one.
import * as fs from 'fs';
import * as path from 'path';
import type { AllocationEvent, MethodName } from '../../protocol/run-events';
import type { BestSetting } from '../experiment/experiment-config';

export const JOB_FORMAT = 'thanora-job/1';

export const JOB_FILES = {
  spec: 'job.json',
  trainScript: 'train.py',
  residual: 'residual.safetensors',
  data: 'data',
  readme: 'README.md',
  accelerate: 'accelerate',
  skypilot: 'skypilot.yaml',
} as const;

export interface JobModule {
  /** PEFT module name, e.g. `model.layers.0.self_attn.q_proj` (the checkpoint's and the Hugging Face model's). */
  peftName: string;
  /** The Hugging Face checkpoint key of its weight, e.g. `model.layers.0.self_attn.q_proj.weight`. */
  weightKey: string;
  layer: number;
  dIn: number;
  dOut: number;
  /** Rows of A (= columns of B) of each task block in task order; [] without task blocks. */
  taskRanks: number[];
  cooperativeRank: number;
}

export interface JobTask {
  name: string;
  /** JSON Lines of tokenized train examples ({"input_ids", "labels"}), in the order the mixer indexes them. */
  file: string;
  examples: number;
  /** The eval examples, tokenized the same way; train.py's eval (exact match of the greedy completion, mean loss). */
  evalFile: string;
  evalExamples: number;
  weight: number;
}

export interface JobSpec {
  format: typeof JOB_FORMAT;
  /** The experiment file and base ONNX model this was exported from (for the record; train.py does not read them). */
  experiment: string;
  baseModel: string;
  /** The Hugging Face folder train.py loads (override with --hf-model on the cluster). */
  hfModel: string;
  hfClassName: string;
  /** The job folder's name when exported; the run's id (import-run copies the job to <runs>/<runId>). */
  runId: string;
  /** ISO time of the export: tells one job from another of the same name. */
  exportedAt: string;
  label: string;
  method: MethodName;
  objective: 'causal_lm';
  tasks: JobTask[];
  lora: { r: number; alpha: number };
  /** true: train.py adds residual.safetensors (W' − W) to the base before training. */
  residual: boolean;
  modules: JobModule[];
  /** λ = 0 or no task pairs: no SPR term (the step event's sprLoss is null). */
  spr: { lambda: number; sides: 'both' | 'A' | 'B' } | null;
  training: {
    totalSteps: number;
    batchSize: number;
    gradAccumulation: number;
    lr: number;
    warmupSteps: number;
    schedule: 'cosine' | 'linear' | 'constant';
    weightDecay: number;
    gradClip: number;
    seed: number;
    mixing: 'proportional' | 'balanced';
    /** Right padding with this token id, to the longest row of each micro-batch or to seqLength ('fixed'). */
    padId: number;
    padding: 'longest' | 'fixed';
    seqLength: number;
    checkpointEvery: number;
    /** 0 = only at the end (src/core/train/training-run.ts). */
    evalEvery: number;
    evalBatchSize: number;
    /** A greedy completion stops at this id (kept); null: it runs to the longest completion's length. */
    eosId: number | null;
    best: BestSetting;
    /** What a divergence warning does (src/core/train/divergence-monitor.ts); train.py applies the same rules. */
    onDivergence: 'warn' | 'stop';
  };
  /** HASI's allocation, re-emitted by train.py as the run's allocation event. */
  allocation?: AllocationEvent['modules'];
  /** The checkpoint train.py starts from (the local initialization), relative to the job folder. */
  initCheckpoint: string;
}

export class JobFolderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JobFolderError';
  }
}

/** job.json of a job folder, checked enough to be read as a run: a bad or foreign file says so and how to fix it. */
export function readJobSpec(jobDir: string): JobSpec {
  const file = path.join(jobDir, JOB_FILES.spec);
  if (!fs.existsSync(file)) throw new JobFolderError(`${jobDir} has no ${JOB_FILES.spec}; pass a folder written by \`thanora export-job\` (synced back whole)`);
  let spec: Partial<JobSpec>;
  try {
    spec = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<JobSpec>;
  } catch (e) {
    throw new JobFolderError(`${file}: not valid JSON (${(e as Error).message}); sync the job folder back again`);
  }
  if (spec.format !== JOB_FORMAT) throw new JobFolderError(`${file}: "format" is ${JSON.stringify(spec.format)}, expected "${JOB_FORMAT}"; export the job again with this version of thanora`);
  for (const key of ['runId', 'exportedAt'] as const) {
    if (typeof spec[key] !== 'string' || spec[key] === '') throw new JobFolderError(`${file}: "${key}" is missing; export the job again with this version of thanora`);
  }
  return spec as JobSpec;
}
