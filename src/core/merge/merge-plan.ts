// What a merge changes: for each adapted module, the base initializer it writes into and the LoRA terms it adds.
// A plain adapter contributes s·B·A; a residual checkpoint also the init blocks with the opposite sign, because
// training ran on W' = W − s·B₀·A₀ and the merged weight is W' + s·B·A = W + s·(B·A − B₀·A₀).
import { LoraPair, PeftAdapter } from '../io/peft-adapter';
import { GraphIndex, indexGraph } from '../lora/graph-index';
import { ResolvedModule } from '../lora/linear-modules';
import { loraInputNames } from '../lora/peft-names';
import { ModelProto } from '../onnx/types';
import { TaskHead } from '../train/lora-training-graph';
import { setupPeftLora } from '../train/peft-lora-setup';
import { SavedTensor, savedBytes } from '../lora/modules-to-save';
import { LoraTerm, addLowRankInPlace, lowRankUpdate } from './low-rank-update';
import { MergeMismatchError } from './merge-errors';
import type { WeightPatcher } from './merged-model-writer';

export interface ModuleMerge {
  module: ResolvedModule;
  /** The trained s·B·A. */
  trained: LoraTerm;
  /** B₀, A₀ with the training scale s (residual methods only); subtracted. */
  init?: LoraTerm;
}

export interface MergePlan {
  modules: ModuleMerge[];
  head: TaskHead;
  /** Per-module rank and alpha as injectLora takes them (scale = alpha / rank). */
  rank: Record<string, number>;
  alpha: Record<string, number>;
  /** modules_to_save: written over their base initializers in the merged model (they are the trained module, not a term). */
  saved: SavedTensor[];
}

// Nodes that read the weight, looking through the Identity/Transpose chain exporters put in front of MatMul.
function weightReaders(index: GraphIndex, initializer: string): string[] {
  const readers: string[] = [];
  const pending = [initializer];
  while (pending.length > 0) {
    const name = pending.pop()!;
    for (const node of index.consumers.get(name) ?? []) {
      if (node.opType === 'Identity' || node.opType === 'Transpose') pending.push(node.outputs[0]);
      else readers.push(`${node.opType} '${node.name || node.outputs[0]}'`);
    }
  }
  return readers;
}

// Merging into a tied weight (lm_head = embedding, shared projections) would change every reader, not just the
// adapted module, so it is refused rather than silently changing the model's other outputs.
function checkUnshared(model: ModelProto, modules: readonly ResolvedModule[], source: string): void {
  const index = indexGraph(model.graph);
  const owner = new Map<string, string>();
  for (const m of modules) {
    const other = owner.get(m.initializer);
    if (other) throw new MergeMismatchError(`${source}: modules '${other}' and '${m.peftName}' both adapt weight '${m.initializer}'; a merged weight can hold only one update`);
    owner.set(m.initializer, m.peftName);
    const readers = weightReaders(index, m.initializer);
    if (readers.length > 1) {
      throw new MergeMismatchError(
        `${source}: weight '${m.initializer}' of module '${m.peftName}' is shared by ${readers.join(', ')}; merging would change all of them. Leave '${m.peftName}' out of the adapter's targets or export the model with untied weights`,
      );
    }
  }
}

/** Resolves the adapter's modules in the model and checks that every shape fits (errors name both sides). */
export function planAdapterMerge(model: ModelProto, adapter: PeftAdapter, source = adapter.configFile): MergePlan {
  let setup;
  try {
    setup = setupPeftLora(model, adapter);
  } catch (e) {
    throw new MergeMismatchError(`cannot merge ${source}: ${(e as Error).message}`);
  }
  checkUnshared(model, setup.modules, source);
  const modules = setup.modules.map((module): ModuleMerge => {
    const { aInput, bInput } = loraInputNames(module.peftName);
    const rank = setup.rank[module.peftName];
    return { module, trained: { A: setup.values.get(aInput)!, B: setup.values.get(bInput)!, rank, scale: setup.alpha[module.peftName] / rank } };
  });
  return { modules, head: setup.head, rank: setup.rank, alpha: setup.alpha, saved: setup.saved };
}

/** Adds the residual's init blocks (B₀, A₀ keyed by PEFT module name) to every module of the plan. */
export function attachInitBlocks(plan: MergePlan, init: ReadonlyMap<string, LoraPair>, file: string): void {
  const planned = new Set(plan.modules.map((m) => m.module.peftName));
  const extra = [...init.keys()].filter((name) => !planned.has(name));
  if (extra.length > 0) throw new MergeMismatchError(`${file}: init blocks for ${extra.map((n) => `'${n}'`).join(', ')}, which the adapter does not adapt; the files come from different checkpoints`);
  for (const m of plan.modules) {
    const pair = init.get(m.module.peftName);
    if (!pair) throw new MergeMismatchError(`${file} has no init blocks for module '${m.module.peftName}'; a residual checkpoint needs A₀, B₀ for every adapted module`);
    const [r0, dIn] = pair.A.shape;
    const [dOut] = pair.B.shape;
    if (dIn !== m.module.dIn || dOut !== m.module.dOut || pair.B.shape[1] !== r0) {
      throw new MergeMismatchError(`${file}: module '${m.module.peftName}' has A₀ [${pair.A.shape}] and B₀ [${pair.B.shape}]; the weight is ${m.module.dIn} → ${m.module.dOut}, so A₀ must be [r₀, ${m.module.dIn}] and B₀ [${m.module.dOut}, r₀]`);
    }
    if (r0 > m.trained.rank) throw new MergeMismatchError(`${file}: module '${m.module.peftName}' has init rank ${r0} above the adapter's rank ${m.trained.rank}; the init blocks are part of the rank-r adapter`);
    m.init = { A: pair.A.data as Float32Array, B: pair.B.data as Float32Array, rank: r0, scale: m.trained.scale };
  }
}

/**
 * W + s·(B·A − B₀·A₀) and the saved modules' trained weights for 'merged'; W' = W − s·B₀·A₀ for 'residual' (the
 * frozen base training ran on, where the saved modules were graph inputs).
 */
export function weightPatches(plan: MergePlan, target: 'merged' | 'residual'): Map<string, WeightPatcher> {
  const patches = new Map<string, WeightPatcher>();
  for (const m of plan.modules) {
    const terms: LoraTerm[] = target === 'merged' ? [m.trained] : [];
    if (m.init) terms.push({ ...m.init, scale: -m.init.scale });
    if (terms.length === 0) continue;
    const { module } = m;
    patches.set(module.initializer, (bytes, tensor) => {
      const where = `initializer '${module.initializer}' (module '${module.peftName}')`;
      const update = lowRankUpdate(module.dOut, module.dIn, terms, where);
      addLowRankInPlace({ bytes, dims: tensor.dims, dataType: tensor.dataType, layout: module.stored, where }, update);
    });
  }
  for (const s of target === 'merged' ? plan.saved : []) {
    patches.set(s.initializer, (bytes) => {
      const values = savedBytes(s);
      if (values.length !== bytes.length) throw new MergeMismatchError(`'${s.key}': ${values.length} bytes for initializer '${s.initializer}', which holds ${bytes.length}`);
      bytes.set(values);
    });
  }
  return patches;
}
