// Heterogeneity-aware subspace initialization (HASI), the whole per-module init of the design's §1:
// {W, C_t per task, r, alpha} → entropies H_t, allocation (r_t, r_c), A [r, d_in], B [d_out, r] with the
// block map, and the frozen residual W' = W − s·Σ_t B_t·A_t (d_out×d_in, PEFT orientation; see residual.ts
// for the ONNX storage layouts). Modules are processed one allocation group at a time (a module, or a layer)
// so that only that group's context SVDs are held in memory.
import { Matrix, setBlock, subtract, zeros } from '../linalg/matrix';
import { seededRng } from '../linalg/random';
import { AllocationOptions, AllocationScope, RankAllocation, allocateModules } from './allocate-ranks';
import { BlockMap, blockMapFor } from './block-map';
import { ContextSvdOptions, TaskContext, analyseTaskContext } from './context-svd';
import { scaledDelta } from './residual';
import { cooperativeBlock, taskBlock } from './task-blocks';

export interface HasiModuleInput {
  /** PEFT module name, used in errors and to seed the cooperative block. */
  name: string;
  /** Transformer layer key, needed for allocation 'layer'. */
  layer?: string;
  /** W, d_out×d_in. */
  weight: Matrix;
  /** C_t = XᵀX/n_tokens per task, d_in×d_in (undamped). */
  covariances: Matrix[];
  rank: number;
  alpha: number;
}

export interface HasiOptions extends AllocationOptions, Omit<ContextSvdOptions, 'keep'> {
  /** Scale γ of the task blocks (default 1). */
  gamma?: number;
  /** 'module' (default) or 'layer'. */
  allocation?: AllocationScope;
  /** Seeds the cooperative blocks (with the module name) and the randomized SVD. */
  seed?: number;
}

export interface HasiModuleResult {
  name: string;
  /** s = alpha / r. */
  scaling: number;
  entropies: number[];
  /** The damping ε that made each C_t factorizable. */
  dampingEpsilons: number[];
  allocation: RankAllocation;
  blocks: BlockMap;
  /** r×d_in = [A_1; …; A_T; A_c]. */
  a: Matrix;
  /** d_out×r = [B_1 … B_T B_c]. */
  b: Matrix;
  /** W' = W − s·B·A (B_c = 0, so only the task blocks are removed), d_out×d_in. */
  residual: Matrix;
}

// FNV-1a: a stable per-module seed, independent of the order in which modules are initialized.
function hashName(name: string, seed: number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

function checkModule(m: HasiModuleInput, taskCount: number): void {
  if (m.covariances.length !== taskCount) {
    throw new Error(`HASI: module '${m.name}' has ${m.covariances.length} task covariances, expected ${taskCount} (one per task)`);
  }
  if (!(m.alpha > 0) || !Number.isInteger(m.rank) || m.rank < 1) {
    throw new Error(`HASI: module '${m.name}' needs rank ≥ 1 and alpha > 0, got r = ${m.rank}, alpha = ${m.alpha}`);
  }
}

/** HASI steps 2–4 of one module for every task: the context SVDs behind its entropies (also used by `thanora plan`). */
export async function analyseModule(m: HasiModuleInput, options: HasiOptions): Promise<TaskContext[]> {
  const contexts: TaskContext[] = [];
  for (let t = 0; t < m.covariances.length; t++) {
    contexts.push(await analyseTaskContext(m.weight, m.covariances[t], { ...options, keep: m.rank }, `module '${m.name}', task ${t}`));
  }
  return contexts;
}

function buildModule(m: HasiModuleInput, contexts: TaskContext[], allocation: RankAllocation, options: HasiOptions): HasiModuleResult {
  const scaling = m.alpha / m.rank;
  const dOut = m.weight.rows;
  const dIn = m.weight.cols;
  const blocks = blockMapFor(allocation.taskRanks, allocation.cooperativeRank);
  const a = zeros(m.rank, dIn);
  const b = zeros(dOut, m.rank);
  for (const block of blocks.blocks) {
    const piece =
      block.kind === 'task'
        ? taskBlock(contexts[block.task!], m.weight, block.rank, scaling, options.gamma ?? 1)
        : cooperativeBlock(block.rank, dIn, dOut, seededRng(hashName(m.name, options.seed ?? 0)));
    setBlock(a, block.offset, 0, piece.a);
    setBlock(b, 0, block.offset, piece.b);
  }
  return {
    name: m.name,
    scaling,
    entropies: contexts.map((c) => c.entropy),
    dampingEpsilons: contexts.map((c) => c.epsilon),
    allocation,
    blocks,
    a,
    b,
    residual: subtract(m.weight, scaledDelta(b, a, scaling)),
  };
}

export async function hasiModules(modules: readonly HasiModuleInput[], options: HasiOptions = {}): Promise<HasiModuleResult[]> {
  if (modules.length === 0) return [];
  const taskCount = modules[0].covariances.length;
  modules.forEach((m) => checkModule(m, taskCount));
  const names = new Set(modules.map((m) => m.name));
  if (names.size !== modules.length) throw new Error('HASI: module names must be unique (they key the results and seed the cooperative blocks)');
  const scope = options.allocation ?? 'module';
  const groups = new Map<string, HasiModuleInput[]>();
  for (const m of modules) {
    if (scope === 'layer' && m.layer === undefined) throw new Error(`HASI: allocation 'layer' but module '${m.name}' has no layer key`);
    const key = scope === 'layer' ? `layer:${m.layer}` : `module:${m.name}`;
    groups.set(key, [...(groups.get(key) ?? []), m]);
  }
  const results = new Map<string, HasiModuleResult>();
  for (const group of groups.values()) {
    const contexts = new Map<string, TaskContext[]>();
    for (const m of group) contexts.set(m.name, await analyseModule(m, options));
    const allocations = allocateModules(
      group.map((m) => ({ name: m.name, layer: m.layer, rank: m.rank, entropies: contexts.get(m.name)!.map((c) => c.entropy) })),
      scope,
      options,
    );
    for (const m of group) results.set(m.name, buildModule(m, contexts.get(m.name)!, allocations.get(m.name)!, options));
  }
  return modules.map((m) => results.get(m.name)!);
}

export async function hasiModule(module: HasiModuleInput, options: HasiOptions = {}): Promise<HasiModuleResult> {
  return (await hasiModules([module], { ...options, allocation: 'module' }))[0];
}
