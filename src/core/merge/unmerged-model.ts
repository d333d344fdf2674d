// The model a checkpoint stands for, before merging: the stored base with W' = W − s·B₀A₀ where training had it
// (residual methods), LoRA injected with the trained A, B as graph inputs, and the modules_to_save parameters
// lifted to graph inputs in PyTorch's layout, as in training. Merge verification compares the merged model with
// it; the playground generates with it, so a checkpoint answers without being merged.
import { InjectedAdapter, injectLora } from '../lora/inject-lora';
import { liftSavedParams } from '../lora/lift-saved-params';
import { baseValues } from '../lora/modules-to-save';
import { readTensorBytes } from '../onnx/external-data';
import { DataType, ModelProto } from '../onnx/types';
import { MergePlan, weightPatches } from './merge-plan';

export interface UnmergedModel {
  model: ModelProto;
  adapters: InjectedAdapter[];
  /** The stored base model, as read. */
  base: ModelProto;
  /** The base keeps its weights as external data (it may be past 2 GiB). */
  external: boolean;
}

/** `base` is the model read from `baseModelFile` (external data is read from beside the file). */
export function unmergedModel(base: ModelProto, baseModelFile: string, plan: MergePlan): UnmergedModel {
  const external = base.graph.initializers.some((t) => t.external);
  const patches = weightPatches(plan, 'residual');
  const initializers = base.graph.initializers.map((t) => {
    const patch = patches.get(t.name);
    if (!patch) return t;
    const bytes = Uint8Array.from(readTensorBytes(t, baseModelFile));
    patch(bytes, t);
    const { external: _external, ...rest } = t;
    return { ...rest, raw: bytes };
  });
  const patched = liftSavedParams({ ...base, graph: { ...base.graph, initializers } }, plan.saved, DataType.FLOAT);
  const injected = injectLora(patched, plan.modules.map((m) => m.module), { rank: plan.rank, alpha: plan.alpha, dtype: DataType.FLOAT });
  return { model: injected.model, adapters: injected.adapters, base, external };
}

/**
 * The graph inputs' values by name: A, B of every module and the saved parameters. `zeroB`: B = 0 and the
 * base's own saved-module weights, the model without the adapter's effect.
 */
export function unmergedValues(unmerged: UnmergedModel, plan: MergePlan, zeroB = false): Map<string, Float32Array> {
  const values = new Map<string, Float32Array>();
  for (const s of plan.saved) values.set(s.input, zeroB ? baseValues(unmerged.base, s) : Float32Array.from(s.values));
  const byName = new Map(plan.modules.map((m) => [m.module.peftName, m]));
  for (const a of unmerged.adapters) {
    const { A, B } = byName.get(a.peftName)!.trained;
    values.set(a.aInput, Float32Array.from(A));
    values.set(a.bInput, zeroB ? new Float32Array(B.length) : Float32Array.from(B));
  }
  return values;
}
