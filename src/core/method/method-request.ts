// What initializeMethod needs besides the model, checked up front so that a bad request fails before the
// preview runs, and how modules are grouped into preview passes.
import { MethodConfig } from '../experiment/experiment-config';
import { ResolvedModule } from '../lora/linear-modules';
import { Device } from '../runtime/session';
import { BlockMap, taskBlocksOf } from '../thanora/block-map';
import { HasiOptions } from '../thanora/hasi';
import { MatmulFn } from '../linalg/randomized-svd';
import { layerIndexOf } from './layer-index';
import { hasTaskBlocks, methodSpec } from './method-registry';
import { PreviewTokens } from './preview-batches';
import { Batch } from '../io/batch-file';
import type { TaskHead } from '../train/lora-training-graph';

export interface MethodInitConfig {
  lora: { r: number; alpha: number };
  method: MethodConfig;
  /** Task names in task-index order. */
  tasks: readonly string[];
  seed: number;
  device?: Device;
  threads?: number;
  onNotice?: (message: string) => void;
  onProgress?: (message: string) => void;
  /** Structured progress for the run folder's phase events: preview passes, then modules (or layers) initialised. */
  onPhase?: (phase: 'preview' | 'init', done: number, total: number) => void;
  /** The loss head whose gradient a 'gradients' preview takes (method-registry.ts); required there. */
  head?: TaskHead;
  /** Which preview positions count toward C_t (preview-batches.ts); default 'labelled'. */
  previewTokens?: PreviewTokens;
  /**
   * Float64 bytes of covariances held per preview pass (default 2 GiB). The covariances of all modules of a
   * large model do not fit at once, so modules are previewed a group of layers at a time (one forward pass
   * over the preview data per group).
   */
  previewMemoryBytes?: number;
}

export const defaultPreviewMemoryBytes = 2 * 1024 ** 3;

export function checkMethodRequest(r: MethodInitConfig & { modules: readonly ResolvedModule[]; preview?: readonly (readonly Batch[])[] }): void {
  const { method, lora, tasks, modules } = r;
  if (modules.length === 0) throw new Error('method init: no target modules; check lora.targets');
  if (!Number.isInteger(lora.r) || lora.r < 1) throw new Error(`method init: lora.r must be a positive integer, got ${lora.r}`);
  if (!(lora.alpha > 0)) throw new Error(`method init: lora.alpha must be > 0, got ${lora.alpha}`);
  if (tasks.length === 0) throw new Error('method init: the experiment has no tasks');
  const names = new Set(modules.map((m) => m.peftName));
  if (names.size !== modules.length) throw new Error('method init: two target modules have the same PEFT name; pass each module once');
  const spec = methodSpec(method.name);
  if (spec.residual) {
    const small = modules.find((m) => lora.r > Math.min(m.dIn, m.dOut));
    if (small) {
      throw new Error(`method init: lora.r = ${lora.r} exceeds min(d_in, d_out) = ${Math.min(small.dIn, small.dOut)} of module '${small.peftName}'; ${method.name} takes r singular directions of W, so lower r or leave the module out of lora.targets`);
    }
  }
  if (spec.preview) {
    if (!r.preview || r.preview.length !== tasks.length) {
      throw new Error(`method init: ${method.name} needs preview batches for each of the ${tasks.length} tasks (got ${r.preview?.length ?? 0} lists)`);
    }
    r.preview.forEach((batches, t) => {
      if (batches.length === 0) throw new Error(`method init: task '${tasks[t]}' has no preview batches; its train file gives the preview samples`);
    });
    if (spec.preview === 'gradients' && !r.head) throw new Error(`method init: ${method.name} takes the loss gradient on the preview batches; give the experiment's loss head (causal_lm or sequence_classification)`);
  }
  if (hasTaskBlocks(method.name) && method.allocation === 'layer') {
    const unknown = modules.find((m) => layerIndexOf(m.peftName) < 0);
    if (unknown) {
      throw new Error(`method init: method.allocation 'layer' needs a layer index in every module name (model.layers.N.…), but '${unknown.peftName}' has none; use allocation 'module' or leave it out of lora.targets`);
    }
  }
}

/** Modules grouped by transformer layer, in order of first appearance (unknown layers together). */
export function groupByLayer(modules: readonly ResolvedModule[]): ResolvedModule[][] {
  const groups = new Map<number, ResolvedModule[]>();
  for (const m of modules) {
    const layer = layerIndexOf(m.peftName);
    groups.set(layer, [...(groups.get(layer) ?? []), m]);
  }
  return [...groups.values()];
}

/** Whole layers per pass, consecutive layers merged while the bytes each module holds in a pass fit in `budget`. */
export function layerPasses(modules: readonly ResolvedModule[], bytesOf: (m: ResolvedModule) => number, budget: number): ResolvedModule[][] {
  const bytes = (group: readonly ResolvedModule[]) => group.reduce((acc, m) => acc + bytesOf(m), 0);
  const passes: ResolvedModule[][] = [];
  for (const layer of groupByLayer(modules)) {
    const last = passes[passes.length - 1];
    if (last && bytes(last) + bytes(layer) <= budget) last.push(...layer);
    else passes.push([...layer]);
  }
  return passes;
}

// Whole layers per pass (allocation 'layer' needs a layer's modules together), sized by their covariances
// (d_in² float64 per task, an upper bound as shared inputs are stored once).
export function previewGroups(modules: readonly ResolvedModule[], taskCount: number, budget = defaultPreviewMemoryBytes): ResolvedModule[][] {
  return layerPasses(modules, (m) => m.dIn * m.dIn * 8 * taskCount, budget);
}

/** CheckpointMeta's per-module block sizes: task blocks in task order, and everything else as shared. */
export function taskBlocksSummary(map: BlockMap): { taskRanks: number[]; cooperativeRank: number } {
  const tasks = taskBlocksOf(map).sort((x, y) => x.task! - y.task!);
  return { taskRanks: tasks.map((t) => t.rank), cooperativeRank: map.rank - tasks.reduce((acc, t) => acc + t.rank, 0) };
}

/** HASI's options from the experiment's method section (the trainer's init and `thanora plan` share them). */
export function hasiOptionsOf(method: MethodConfig, seed: number, matmul: MatmulFn): HasiOptions {
  return {
    epsilon: method.epsilon,
    entropyRank: method.entropyRank === 'auto' ? undefined : method.entropyRank,
    entropyOver: method.entropyOver,
    cooperativeRank: method.cooperativeRank,
    temperature: method.temperature,
    allocation: method.allocation,
    gamma: method.gamma,
    seed,
    matmul,
  };
}
