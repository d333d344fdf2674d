// The trainer's state as a checkpoint record and back: adapter values keyed by graph input
// (`<module>.lora_A.weight`) ↔ A, B pairs keyed by PEFT module name. The files are the run folder's business
// (src/core/run-folder/checkpoints.ts).
import { LoraPair } from '../io/peft-adapter';
import { SafeTensor } from '../io/safetensors';
import { InjectedAdapter } from '../lora/inject-lora';
import { SavedParam } from '../lora/modules-to-save';
import { AdamWState } from '../optim/adamw';
import { CheckpointRecord, readCheckpointAdapter, readCheckpointTrainingState, writeCheckpointFolder } from '../run-folder';
import { CheckpointMeta, TrainerState } from '../../protocol/run-events';

export interface CheckpointContent {
  meta: CheckpointMeta;
  rank: number;
  alpha: number;
  targetModules: string[];
  adapters: readonly InjectedAdapter[];
  values: ReadonlyMap<string, Float32Array>;
  /** A₀/B₀ of residual methods, keyed like `values`. */
  init?: ReadonlyMap<string, Float32Array>;
  task: 'causal_lm' | 'sequence_classification';
  /** Parameters of the modules trained in full; their values are in `values` under `<module>.<param>`. */
  saved: readonly SavedParam[];
  optimizer: AdamWState;
  trainer: TrainerState;
}

function pairs(adapters: readonly InjectedAdapter[], values: ReadonlyMap<string, Float32Array>): Map<string, LoraPair> {
  const out = new Map<string, LoraPair>();
  for (const a of adapters) {
    const A = values.get(a.aInput);
    const B = values.get(a.bInput);
    if (!A || !B) continue;
    out.set(a.peftName, { A: { dtype: 'F32', shape: [...a.shapeA], data: A }, B: { dtype: 'F32', shape: [...a.shapeB], data: B } });
  }
  return out;
}

function savedTensors(saved: readonly SavedParam[], values: ReadonlyMap<string, Float32Array>): Map<string, SafeTensor> {
  const out = new Map<string, SafeTensor>();
  for (const p of saved) {
    const data = values.get(p.input);
    if (!data) throw new Error(`no value for the saved module parameter '${p.input}' to checkpoint`);
    out.set(p.input, { dtype: 'F32', shape: [...p.shape], data });
  }
  return out;
}

export function checkpointRecord(c: CheckpointContent): CheckpointRecord {
  return {
    meta: c.meta,
    rank: c.rank,
    alpha: c.alpha,
    targetModules: c.targetModules,
    adapter: pairs(c.adapters, c.values),
    init: c.init ? pairs(c.adapters, c.init) : undefined,
    task: c.task,
    modulesToSave: [...new Set(c.saved.map((p) => p.module))],
    saved: savedTensors(c.saved, c.values),
    optimizer: c.optimizer,
    trainer: c.trainer,
  };
}

/** Writes the trainer's state as `<checkpointsDir>/step-N/`; returns the folder. */
export function writeCheckpoint(checkpointsDir: string, c: CheckpointContent): string {
  return writeCheckpointFolder(checkpointsDir, checkpointRecord(c));
}

export interface LoadedCheckpoint {
  dir: string;
  meta: CheckpointMeta;
  /** Graph-input name (`<module>.lora_A.weight`, `<module>.<param>` of a saved module) -> values. */
  values: Map<string, Float32Array>;
  init?: Map<string, Float32Array>;
  optimizer: AdamWState;
  trainer: TrainerState;
}

/** Graph-input name (`<module>.lora_A.weight`, `<module>.<param>` of a saved module) -> values. */
function valuesByInput(pairs: ReadonlyMap<string, LoraPair>, saved: ReadonlyMap<string, { tensor: SafeTensor }> = new Map()): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  for (const [input, { tensor }] of saved) out.set(input, Float32Array.from(tensor.data as ArrayLike<number>));
  for (const [module, p] of pairs) {
    out.set(`${module}.lora_A.weight`, Float32Array.from(p.A.data as ArrayLike<number>));
    out.set(`${module}.lora_B.weight`, Float32Array.from(p.B.data as ArrayLike<number>));
  }
  return out;
}

/** A checkpoint folder (validated the same way merge validates it) with the optimizer and trainer state. */
export function readCheckpoint(dir: string): LoadedCheckpoint {
  const source = readCheckpointAdapter(dir);
  const { optimizer, trainer } = readCheckpointTrainingState(dir);
  return {
    dir,
    meta: source.meta,
    values: valuesByInput(source.adapter.tensors, source.adapter.modulesToSave),
    init: source.init ? valuesByInput(source.init) : undefined,
    optimizer,
    trainer,
  };
}
