// From a PEFT adapter folder to what the engine needs: target modules resolved in the ONNX model, per-module
// ranks and alphas, the task head, and the adapter values keyed by the graph inputs LoRA injection creates.
import { PeftAdapter, patternValue } from '../io/peft-adapter';
import { ResolvedModule } from '../lora/linear-modules';
import { loraInputNames } from '../lora/peft-names';
import { SavedTensor, resolveModulesToSave } from '../lora/modules-to-save';
import { TargetSpec, resolveTargets } from '../lora/resolve-targets';
import { ModelProto } from '../onnx/types';
import { TaskHead } from './lora-training-graph';

export interface PeftLoraSetup {
  modules: ResolvedModule[];
  rank: Record<string, number>;
  alpha: Record<string, number>;
  head: TaskHead;
  /** Graph input name (A or B of a module, `<module>.<param>` of a saved module) -> float32 values. */
  values: Map<string, Float32Array>;
  /** modules_to_save tensors and the base initializers they replace. */
  saved: SavedTensor[];
}

const headOfTask: Record<string, TaskHead> = {
  causal_lm: 'causal_lm',
  CAUSAL_LM: 'causal_lm',
  sequence_classification: 'sequence_classification',
  SEQ_CLS: 'sequence_classification',
};

export function headOf(adapter: PeftAdapter): TaskHead {
  const task = (adapter.config.task ?? adapter.config.task_type ?? 'causal_lm') as string;
  const head = headOfTask[task];
  if (!head) {
    throw new Error(`${adapter.configFile}: task "${task}" is not supported; use "causal_lm" or "sequence_classification"`);
  }
  return head;
}

export function setupPeftLora(model: ModelProto, adapter: PeftAdapter): PeftLoraSetup {
  const cfg = adapter.config;
  if (cfg.use_dora) throw new Error(`${adapter.configFile}: DoRA adapters (use_dora) are not supported`);
  const spec: TargetSpec = (cfg.module_map as TargetSpec | undefined) ??
    (typeof cfg.target_modules === 'string' ? [`re:${cfg.target_modules}`] : cfg.target_modules);
  const found = resolveTargets(model, spec);
  const byName = new Map(found.map((m) => [m.peftName, m]));
  const modules: ResolvedModule[] = [];
  const rank: Record<string, number> = {};
  const alpha: Record<string, number> = {};
  const values = new Map<string, Float32Array>();
  for (const [name, pair] of adapter.tensors) {
    const module = byName.get(name);
    if (!module) {
      throw new Error(
        `${adapter.weightsFile}: adapter module '${name}' has no matching module in the model ` +
          `(resolved: ${found.slice(0, 4).map((m) => m.peftName).join(', ')}${found.length > 4 ? ', …' : ''}); is the adapter for this base model?`,
      );
    }
    const [r, dIn] = pair.A.shape;
    const [dOut] = pair.B.shape;
    if (dIn !== module.dIn || dOut !== module.dOut) {
      throw new Error(
        `${adapter.weightsFile}: module '${name}' has A [${pair.A.shape}] and B [${pair.B.shape}], but the model's weight is ` +
          `${module.dIn} → ${module.dOut} (A must be [r, ${module.dIn}], B [${module.dOut}, r])`,
      );
    }
    modules.push(module);
    rank[name] = r;
    // PEFT: scale = alpha / r, or alpha / √r with rsLoRA; injection divides by r, so pass the matching alpha.
    const a = patternValue(cfg.alpha_pattern, name) ?? cfg.lora_alpha;
    alpha[name] = cfg.use_rslora ? a * Math.sqrt(r) : a;
    const { aInput, bInput } = loraInputNames(name);
    values.set(aInput, Float32Array.from(pair.A.data as ArrayLike<number>));
    values.set(bInput, Float32Array.from(pair.B.data as ArrayLike<number>));
  }
  if (!modules.length) throw new Error(`${adapter.weightsFile} holds no lora_A/lora_B tensors`);
  const saved = resolveModulesToSave(model, adapter.modulesToSave, adapter.weightsFile);
  for (const p of saved) {
    if (rank[p.module] !== undefined) {
      throw new Error(`${adapter.weightsFile}: module '${p.module}' has both LoRA tensors and a modules_to_save '${p.key}'; PEFT trains a module one way or the other`);
    }
    values.set(p.input, p.values);
  }
  return { modules, rank, alpha, head: headOf(adapter), values, saved };
}
