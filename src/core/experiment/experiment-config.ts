// The typed, fully resolved experiment: every default filled, every path absolute, "auto" settings that need
// only the file resolved (cooperativeRank), the rest ("auto" entropyRank) resolved per module by the helpers
// below. schemas/thanora.schema.json documents each field; this file mirrors it for the code.
import type { MixingMode } from '../data/task-mixer';
import type { PaddingMode } from '../data/collate';
import type { ExampleFormatSetting } from '../data/example-formats';
import type { TokenizerSetting } from '../data/tokenizer';

import type { MethodName } from '../method/method-registry';
import type { EntropyOver } from '../thanora/spectral-entropy';

export type { MethodName };
export type Device = 'auto' | 'cuda' | 'cpu';

export interface TaskConfig {
  name: string;
  /** Absolute paths of the JSON Lines files. */
  train: string;
  eval: string;
  weight: number;
  format: ExampleFormatSetting;
  /** Class names (classification); undefined when the file lists none. */
  labels?: string[];
}

export interface ModuleMapEntry {
  initializer: string;
  node?: string;
  op?: 'MatMul' | 'Gemm';
  stored?: 'in_out' | 'out_in';
}

export type LoraTargets =
  | { kind: 'all-linear' }
  /** PEFT target_modules: a module is adapted when its name ends with one of these. */
  | { kind: 'suffixes'; suffixes: string[] }
  | { kind: 'module-map'; modules: Record<string, ModuleMapEntry> };

export interface LoraConfig {
  targets: LoraTargets;
  r: number;
  alpha: number;
  /** PEFT modules_to_save entries trained in full, or 'auto' (the classification head for classification tasks). */
  modulesToSave: 'auto' | string[];
}

export interface MethodConfig {
  name: MethodName;
  previewSamples: number;
  epsilon: number;
  /** K of the spectral entropy; see resolveEntropyRank. */
  entropyRank: 'auto' | number;
  /** Shares of the spectral entropy over σ or σ². */
  entropyOver: EntropyOver;
  /** Resolved: ⌊r / (T + 1)⌋ when the file says "auto". */
  cooperativeRank: number;
  temperature: number | 'uniform';
  allocation: 'module' | 'layer';
  gamma: number;
  /** The task blocks' learning rate as a multiple of training.lr (the cooperative block keeps training.lr). */
  taskLrScale: number;
  lambda: number;
  sprSides: 'both' | 'A' | 'B';
}

/** metric: "mean-accuracy", "accuracy:<task>", "mean-loss" or "loss:<task>"; patience: evals without a new best before stopping (0 = never). */
export interface BestSetting {
  metric: string;
  patience: number;
}

/** Runs recorded before training.best existed resume with this. */
export const DEFAULT_BEST: BestSetting = { metric: 'mean-accuracy', patience: 0 };

export type TrainingLength = { unit: 'steps'; steps: number } | { unit: 'epochs'; epochs: number };

export interface TrainingConfig {
  /** Steps, or epochs to convert once the data is loaded (stepsForEpochs in core/data/task-mixer). */
  length: TrainingLength;
  /** Rows of one micro-batch (one forward + backward). */
  batchSize: number;
  /** Micro-batches per optimizer step: a step sees batchSize × gradAccumulation rows. */
  gradAccumulation: number;
  seqLength: number;
  padding: PaddingMode;
  lr: number;
  warmupSteps: number;
  schedule: 'cosine' | 'linear' | 'constant';
  weightDecay: number;
  /** 0 = no clipping. */
  gradClip: number;
  seed: number;
  /** 0 = only at the end. */
  evalEvery: number;
  /** 0 = only at the end. */
  checkpointEvery: number;
  /** Which checkpoint is the best, and early stopping (src/core/train/best-checkpoint.ts). */
  best: BestSetting;
  /** What a divergence warning does (src/core/train/divergence-monitor.ts). */
  onDivergence: 'warn' | 'stop';
  mixing: MixingMode;
}

export interface ExperimentConfig {
  /** Absolute path of the thanora.json this came from. */
  file: string;
  baseModel: string;
  tokenizer: TokenizerSetting;
  tasks: TaskConfig[];
  lora: LoraConfig;
  method: MethodConfig;
  training: TrainingConfig;
  device: Device;
  /** 0 = ONNX Runtime chooses. */
  threads: number;
  /** Absolute path of the output folder. */
  output: string;
  /** The user allowed `output` outside the workspace. */
  outputOutsideWorkspace: boolean;
}

export const DEFAULT_TRAINING_STEPS = 1000;
const autoEntropyRankCap = 256;

/** K for a module of shape (d_out, d_in): "auto" = min(d_in, d_out, 256); an explicit K is capped at min(d_in, d_out). */
export function resolveEntropyRank(setting: 'auto' | number, dIn: number, dOut: number): number {
  const cap = Math.min(dIn, dOut);
  return setting === 'auto' ? Math.min(cap, autoEntropyRankCap) : Math.min(cap, setting);
}

/** "auto" cooperative rank: ⌊r / (T + 1)⌋, one share of T + 1 equal parts. */
export function autoCooperativeRank(r: number, taskCount: number): number {
  return Math.floor(r / (taskCount + 1));
}
