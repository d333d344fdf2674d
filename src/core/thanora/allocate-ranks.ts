// HASI step 5: split a module's rank r into a cooperative rank r_c and per-task ranks r_t ≥ 1 with
// Σ_t r_t + r_c = r, giving more rank to the tasks whose context spectra are flatter (higher entropy).
export type Temperature = number | 'uniform';
export type CooperativeRankOption = 'auto' | number;
export type AllocationScope = 'module' | 'layer';

export interface AllocationOptions {
  /** τ of softmax(H/τ), default 0.05; 'uniform' gives equal shares. */
  temperature?: Temperature;
  /** 'auto' (⌊r/(T+1)⌋, default) or an integer ≥ 0. */
  cooperativeRank?: CooperativeRankOption;
}

export interface RankAllocation {
  taskRanks: number[];
  cooperativeRank: number;
  /** π_t, the shares behind taskRanks. */
  shares: number[];
}

export class RankAllocationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RankAllocationError';
  }
}

export const defaultTemperature = 0.05;

export function cooperativeRankFor(rank: number, taskCount: number, option: CooperativeRankOption = 'auto'): number {
  const rc = option === 'auto' ? Math.floor(rank / (taskCount + 1)) : option;
  if (!Number.isInteger(rc) || rc < 0) throw new RankAllocationError(`cooperativeRank must be 'auto' or an integer ≥ 0, got ${option}`);
  if (rank - rc < taskCount) {
    throw new RankAllocationError(
      `rank ${rank} with cooperative rank ${rc} leaves ${rank - rc} for ${taskCount} tasks; every task needs ≥ 1. Raise r to ≥ ${taskCount + rc} or lower cooperativeRank`,
    );
  }
  return rc;
}

// π = softmax(H/τ), shifted by max H so that small τ cannot overflow exp.
export function taskShares(entropies: readonly number[], temperature: Temperature = defaultTemperature): number[] {
  const t = entropies.length;
  if (temperature === 'uniform') return entropies.map(() => 1 / t);
  if (!(temperature > 0)) throw new RankAllocationError(`temperature must be > 0 or 'uniform', got ${temperature}`);
  entropies.forEach((h, i) => {
    if (!Number.isFinite(h)) throw new RankAllocationError(`entropy of task ${i} is ${h}; the context SVD produced NaN/Inf`);
  });
  const hMax = Math.max(...entropies);
  const w = entropies.map((h) => Math.exp((h - hMax) / temperature));
  const z = w.reduce((a, b) => a + b, 0);
  return w.map((x) => x / z);
}

// Largest remainder (Hamilton) rounding of π_t·total with a floor of 1 per task: take ⌊quota⌋ (at least 1),
// then hand the missing units to the largest remainders, or take surplus units (caused by the floor of 1)
// from the tasks furthest above their quota. Ties go to the lower task index, so the result is deterministic.
export function largestRemainder(shares: readonly number[], total: number): number[] {
  const n = shares.length;
  if (total < n) throw new RankAllocationError(`cannot give ${n} tasks at least 1 rank each out of ${total}`);
  const quota = shares.map((p) => p * total);
  const ranks = quota.map((q) => Math.max(1, Math.floor(q)));
  let sum = ranks.reduce((a, b) => a + b, 0);
  const byIndex = (a: number, b: number) => a - b;
  while (sum < total) {
    const i = [...Array(n).keys()].sort((a, b) => quota[b] - ranks[b] - (quota[a] - ranks[a]) || byIndex(a, b))[0];
    ranks[i]++;
    sum++;
  }
  while (sum > total) {
    const candidates = [...Array(n).keys()].filter((i) => ranks[i] > 1);
    const i = candidates.sort((a, b) => ranks[b] - quota[b] - (ranks[a] - quota[a]) || byIndex(a, b))[0];
    ranks[i]--;
    sum--;
  }
  return ranks;
}

export function allocateRanks(entropies: readonly number[], rank: number, options: AllocationOptions = {}): RankAllocation {
  if (entropies.length === 0) throw new RankAllocationError('allocateRanks: no tasks (empty entropy list)');
  if (!Number.isInteger(rank) || rank < 1) throw new RankAllocationError(`allocateRanks: rank must be a positive integer, got ${rank}`);
  const cooperativeRank = cooperativeRankFor(rank, entropies.length, options.cooperativeRank);
  const shares = taskShares(entropies, options.temperature);
  return { taskRanks: largestRemainder(shares, rank - cooperativeRank), cooperativeRank, shares };
}

export interface ModuleEntropies {
  name: string;
  /** Transformer layer key; required for 'layer' allocation. */
  layer?: string;
  rank: number;
  entropies: readonly number[];
}

// 'module': each module from its own entropies. 'layer': every module of a layer from the mean entropy
// (per task) over the layer's modules, so a layer's modules share one split (up to their own r).
export function allocateModules(
  modules: readonly ModuleEntropies[],
  scope: AllocationScope,
  options: AllocationOptions = {},
): Map<string, RankAllocation> {
  const out = new Map<string, RankAllocation>();
  if (scope === 'module') {
    for (const m of modules) out.set(m.name, allocateRanks(m.entropies, m.rank, options));
    return out;
  }
  const layers = new Map<string, ModuleEntropies[]>();
  for (const m of modules) {
    if (m.layer === undefined) throw new RankAllocationError(`'layer' allocation: module '${m.name}' has no layer key; give every module its transformer layer`);
    layers.set(m.layer, [...(layers.get(m.layer) ?? []), m]);
  }
  for (const group of layers.values()) {
    const t = group[0].entropies.length;
    const mean = Array.from({ length: t }, (_, i) => group.reduce((acc, m) => acc + m.entropies[i], 0) / group.length);
    for (const m of group) {
      if (m.entropies.length !== t) throw new RankAllocationError(`module '${m.name}' has ${m.entropies.length} task entropies, its layer has ${t}`);
      out.set(m.name, allocateRanks(mean, m.rank, options));
    }
  }
  return out;
}
