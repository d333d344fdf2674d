// Checkpoints (layout in src/protocol/run-events.ts): written under a temp name and renamed, so a reader or a
// crash sees either the whole folder or none of it.
import * as fs from 'fs';
import * as path from 'path';
import { writeJsonAtomic } from '../io/atomic-write';
import { writePeftAdapter, LoraPair } from '../io/peft-adapter';
import { readCheckpoint as readCheckpointSource, INIT_ADAPTER_FILE } from '../merge/checkpoint-source';
import { readSafetensors, writeSafetensors, SafeTensor } from '../io/safetensors';
import { InjectedAdapter } from '../lora/inject-lora';
import { AdamWState } from '../optim/adamw';
import { adamwStateFromSafetensors, adamwStateToSafetensors } from '../optim/adamw-checkpoint';
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
  optimizer: AdamWState;
  trainer: TrainerState;
}

export const CHECKPOINT_FILES = {
  init: INIT_ADAPTER_FILE,
  optimizer: 'optimizer.safetensors',
  trainer: 'trainer_state.json',
} as const;

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

export function checkpointName(step: number): string {
  return `step-${String(step).padStart(8, '0')}`;
}

export function writeCheckpoint(checkpointsDir: string, c: CheckpointContent): string {
  const final = path.join(checkpointsDir, checkpointName(c.meta.step));
  const tmp = `${final}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true });
  writePeftAdapter(tmp, {
    config: {
      r: c.rank,
      lora_alpha: c.alpha,
      target_modules: c.targetModules,
      task: 'causal_lm',
      thanora: c.meta,
    },
    tensors: pairs(c.adapters, c.values),
    baseModelName: c.meta.baseModel,
  });
  if (c.init) {
    const tensors = new Map<string, SafeTensor>();
    for (const [module, p] of pairs(c.adapters, c.init)) {
      tensors.set(`base_model.model.${module}.lora_A.weight`, p.A);
      tensors.set(`base_model.model.${module}.lora_B.weight`, p.B);
    }
    writeSafetensors(path.join(tmp, CHECKPOINT_FILES.init), tensors, { format: 'pt' });
  }
  const opt = adamwStateToSafetensors(c.optimizer);
  writeSafetensors(path.join(tmp, CHECKPOINT_FILES.optimizer), opt.tensors, opt.metadata);
  writeJsonAtomic(path.join(tmp, CHECKPOINT_FILES.trainer), c.trainer);
  fs.rmSync(final, { recursive: true, force: true });
  fs.renameSync(tmp, final);
  return final;
}

export interface LoadedCheckpoint {
  meta: CheckpointMeta;
  /** Graph-input name (`<module>.lora_A.weight`) -> values. */
  values: Map<string, Float32Array>;
  init?: Map<string, Float32Array>;
  optimizer: AdamWState;
  trainer: TrainerState;
}

/** Graph-input name (`<module>.lora_A.weight`) -> values, from pairs keyed by module. */
function valuesByInput(pairs: ReadonlyMap<string, LoraPair>): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  for (const [module, p] of pairs) {
    out.set(`${module}.lora_A.weight`, Float32Array.from(p.A.data as ArrayLike<number>));
    out.set(`${module}.lora_B.weight`, Float32Array.from(p.B.data as ArrayLike<number>));
  }
  return out;
}

/** A checkpoint folder (validated the same way merge validates it) with the optimizer and trainer state. */
export function readCheckpoint(dir: string): LoadedCheckpoint {
  const source = readCheckpointSource(dir);
  const optimizerFile = path.join(source.checkpointDir, CHECKPOINT_FILES.optimizer);
  const optimizer = adamwStateFromSafetensors(readSafetensors(optimizerFile), optimizerFile);
  const trainer = JSON.parse(fs.readFileSync(path.join(source.checkpointDir, CHECKPOINT_FILES.trainer), 'utf8')) as TrainerState;
  return {
    meta: source.meta,
    values: valuesByInput(source.adapter.tensors),
    init: source.init ? valuesByInput(source.init) : undefined,
    optimizer,
    trainer,
  };
}
