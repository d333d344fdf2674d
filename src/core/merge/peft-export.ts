// The trained adapter as a Hugging Face PEFT LoRA against the ORIGINAL base W. Vanilla LoRA exports as is. A
// residual method trained on W' = W − s·B₀·A₀, so relative to W the update is ΔW = s·(B·A − B₀·A₀), exported as
// one LoRA of rank 2r (the PiSSA/CorDA conversion):
//   lora_A = [A; A₀]  (2r, d_in),  lora_B = [B, −B₀]  (d_out, 2r),  s'·lora_B·lora_A = s·(B·A − B₀·A₀)
// PEFT scales by lora_alpha / r, so lora_alpha' = s·2r (= 2·alpha) keeps s' = s. A₀ with r₀ < r rows (the task
// blocks only) is zero-padded to r, which changes nothing in ΔW and keeps one rank for every module.
// adapter_config.json is a LoraConfig PEFT loads without a warning: task_type from the run's task, target_modules the
// full names of exactly the trained modules (PEFT matches a name or a `.name` suffix, so nothing else is adapted),
// rank_pattern/alpha_pattern where modules differ, modules_to_save with their trained weights under PEFT's keys
// (`base_model.model.<module>.weight`). The block map and module map go to thanora_adapter.json beside it.
import { LoraPair, PeftAdapterConfig, peftModulesToSaveEntries, writePeftAdapter } from '../io/peft-adapter';
import type { SafeTensor } from '../io/safetensors';
import type { CheckpointMeta } from '../../protocol/run-events';
import type { MergePlan, ModuleMerge } from './merge-plan';

export interface PeftExport {
  config: PeftAdapterConfig;
  tensors: Map<string, LoraPair>;
  /** modules_to_save tensors by `<module>.<weight|bias>`, PyTorch layout. */
  modulesToSave: Map<string, SafeTensor>;
}

/** lora_A, lora_B of one module in float32: [A; A₀ padded to r] and [B, −B₀ padded to r], or A and B. */
export function exportedPair(m: ModuleMerge): LoraPair {
  const { rank: r, A, B } = m.trained;
  const { dIn, dOut } = m.module;
  if (!m.init) return { A: { dtype: 'F32', shape: [r, dIn], data: Float32Array.from(A) }, B: { dtype: 'F32', shape: [dOut, r], data: Float32Array.from(B) } };
  const r0 = m.init.rank;
  const a = new Float32Array(2 * r * dIn);
  a.set(Float32Array.from(A), 0);
  a.set(Float32Array.from(m.init.A), r * dIn);
  const b = new Float32Array(dOut * 2 * r);
  for (let o = 0; o < dOut; o++) {
    for (let j = 0; j < r; j++) b[o * 2 * r + j] = B[o * r + j];
    for (let j = 0; j < r0; j++) b[o * 2 * r + r + j] = -m.init.B[o * r0 + j];
  }
  return { A: { dtype: 'F32', shape: [2 * r, dIn], data: a }, B: { dtype: 'F32', shape: [dOut, 2 * r], data: b } };
}

/** The most frequent value (the first seen of equally frequent ones): PEFT's r / lora_alpha, the rest patterns. */
function mostCommon(values: number[]): number {
  const counts = new Map<number, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  let best = values[0];
  for (const [v, n] of counts) if (n > counts.get(best)!) best = v;
  return best;
}

// PEFT config fields copied from the training adapter's config; rank, alpha, targets and patterns are recomputed,
// and the engine's `task` becomes PEFT's task_type.
const keptFields = ['task_type', 'base_model_name_or_path'] as const;
const taskTypeOfTask: Record<string, string> = { causal_lm: 'CAUSAL_LM', sequence_classification: 'SEQ_CLS' };

export function peftExportOf(plan: MergePlan, source: PeftAdapterConfig, meta: CheckpointMeta): PeftExport {
  const tensors = new Map<string, LoraPair>();
  const ranks: Record<string, number> = {};
  const alphas: Record<string, number> = {};
  const initRows: Record<string, { offset: number; rank: number }> = {};
  for (const m of plan.modules) {
    const pair = exportedPair(m);
    const name = m.module.peftName;
    tensors.set(name, pair);
    ranks[name] = pair.A.shape[0];
    alphas[name] = m.trained.scale * pair.A.shape[0];
    if (m.init) initRows[name] = { offset: m.trained.rank, rank: m.init.rank };
  }
  const names = Object.keys(ranks);
  const r = mostCommon(names.map((n) => ranks[n]));
  const alpha = mostCommon(names.map((n) => alphas[n]));
  const config: PeftAdapterConfig = { r, lora_alpha: alpha, target_modules: [...names].sort() };
  for (const key of keptFields) if (source[key] !== undefined) (config as Record<string, unknown>)[key] = source[key];
  if (typeof source.task === 'string' && taskTypeOfTask[source.task]) config.task_type = taskTypeOfTask[source.task];
  config.use_rslora = false;
  // Modules whose rank or alpha differ from r / lora_alpha: PEFT's patterns, keyed by full module name (PEFT reads
  // each key as a regex matching the name or a `.`-suffix of it; a full name matches only that module).
  const differing = (values: Record<string, number>, common: number) => Object.fromEntries(names.filter((n) => values[n] !== common).map((n) => [n, values[n]]));
  config.rank_pattern = differing(ranks, r);
  config.alpha_pattern = differing(alphas, alpha);
  const modulesToSave = new Map<string, SafeTensor>();
  for (const p of plan.saved) modulesToSave.set(p.input, { dtype: 'F32', shape: [...p.shape], data: Float32Array.from(p.values) });
  config.modules_to_save = plan.saved.length > 0 ? peftModulesToSaveEntries(plan.saved.map((p) => p.module), config.task_type) : null;
  config.module_map = meta.moduleMap;
  config.thanora = {
    method: meta.method,
    tasks: meta.tasks,
    step: meta.step,
    residual: meta.residual,
    baseModel: meta.baseModel,
    blocks: meta.blocks,
    layout: meta.residual
      ? 'rank 2r: lora_A = [A; A0], lora_B = [B, -B0]. Rows of lora_A (columns of lora_B) [0, r) are the trained blocks in `blocks` order (each task, then the cooperative block); [r, r + initRows.rank) the init task blocks; the rest is zero padding.'
      : 'rank r: lora_A = A, lora_B = B, blocks in `blocks` order (each task, then the cooperative block).',
    ...(meta.residual ? { initRows } : {}),
  };
  return { config, tensors, modulesToSave };
}

export function writePeftExport(dir: string, exported: PeftExport): void {
  writePeftAdapter(dir, { config: exported.config, tensors: exported.tensors, modulesToSave: exported.modulesToSave });
}
