// The allocation event as the dashboard draws it: stacked bars (a bar per module, a segment per task and the
// cooperative block) and heatmaps (a grid per task, layer × module kind). Pure, unit-tested with run-series.
import { moduleKind } from '../../src/core/method/layer-index';
import { taskNames, type RunView } from './run-series';

/** Short module label for the allocation axis: "model.layers.3.self_attn.q_proj" → "3.q_proj". */
export function shortModuleName(module: string): string {
  const match = /layers?\.(\d+)\..*?([^.]+)$/.exec(module);
  return match ? `${match[1]}.${match[2]}` : module.split('.').slice(-2).join('.');
}

export interface AllocationBars {
  modules: string[];
  /** One stack segment per task, then the cooperative block. */
  segments: { name: string; ranks: number[]; entropies: (number | null)[] }[];
}

export function allocationBars(view: RunView): AllocationBars | undefined {
  const alloc = view.allocation;
  if (!alloc) return undefined;
  const tasks = taskNames(view);
  const segments: AllocationBars['segments'] = tasks.map((name, t) => ({
    name,
    ranks: alloc.modules.map((m) => m.ranks[t] ?? 0),
    entropies: alloc.modules.map((m) => m.entropies[t] ?? null),
  }));
  segments.push({ name: 'cooperative', ranks: alloc.modules.map((m) => m.cooperativeRank), entropies: alloc.modules.map(() => null) });
  return { modules: alloc.modules.map((m) => m.module), segments };
}

/** The allocation as heatmaps: rows are layers, columns the module kinds (`self_attn.q_proj`), one grid per task. */
export interface AllocationGrid {
  layers: number[];
  kinds: string[];
  /** One per task (r_t), then the cooperative block (r_c); null where a layer has no module of that kind. */
  grids: { name: string; ranks: (number | null)[][] }[];
  /** The largest rank of any cell: the full colour. */
  maxRank: number;
}

export function allocationGrid(view: RunView): AllocationGrid | undefined {
  const alloc = view.allocation;
  if (!alloc) return undefined;
  const cells = alloc.modules.map((m) => ({ ...m, kind: moduleKind(m.module, m.layer) }));
  const layers = [...new Set(cells.map((m) => m.layer))].sort((a, b) => a - b);
  const kinds = [...new Set(cells.map((m) => m.kind))];
  const at = new Map(cells.map((m) => [`${m.layer}\u0000${m.kind}`, m]));
  const grid = (rank: (m: (typeof cells)[number]) => number) => layers.map((layer) => kinds.map((kind) => {
    const m = at.get(`${layer}\u0000${kind}`);
    return m ? rank(m) : null;
  }));
  const grids = taskNames(view).map((name, t) => ({ name, ranks: grid((m) => m.ranks[t] ?? 0) }));
  grids.push({ name: 'cooperative', ranks: grid((m) => m.cooperativeRank) });
  const maxRank = Math.max(1, ...cells.flatMap((m) => [...m.ranks, m.cooperativeRank]));
  return { layers, kinds, grids, maxRank };
}
