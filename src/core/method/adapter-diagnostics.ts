// The dashboard's subspace diagnostics (design §5) from the current adapter values: per module and task pair,
// the mean and minimum principal angles between the task blocks' row spaces of A and column spaces of B;
// per layer, those averaged over the layer's modules; and the Roy–Vetterli effective ranks of each task block
// B_t·A_t, of the shared block and of ΔW ∝ B·A. The products are never formed: with B = Q_B·R_B and
// Aᵀ = Q_A·R_A, σ(B·A) = σ(R_B·R_Aᵀ), an r×r problem (thanora/subspace-angles.ts).
// An angle is NaN when a block spans nothing (a zero block): JSON.stringify writes it as null.
import { AnglesEvent, PairAngles } from '../../protocol/run-events';
import { Matrix } from '../linalg/matrix';
import { ResolvedModule } from '../lora/linear-modules';
import { BlockMap } from '../thanora/block-map';
import { blockEffectiveRanks, moduleSubspaceAngles } from '../thanora/subspace-angles';
import { adapterMatrices } from './adapter-values';
import { layerIndexOf } from './layer-index';

export interface DiagnosticsContext {
  /** Adapter rank of every module (r). */
  rank: number;
  blockMaps: ReadonlyMap<string, BlockMap>;
  /** Layer per module; default: from the PEFT name. */
  layers?: ReadonlyMap<string, number>;
}

type AnglesModule = AnglesEvent['modules'][number];

function meanOfFinite(values: number[]): number {
  const finite = values.filter(Number.isFinite);
  return finite.length ? finite.reduce((a, b) => a + b, 0) / finite.length : NaN;
}

function moduleDiagnostics(module: string, layer: number, blocks: BlockMap, a: Matrix, b: Matrix): AnglesModule {
  const angles = moduleSubspaceAngles(a, b, blocks);
  const pairs: PairAngles[] = [];
  for (const p of angles.pairs) {
    let pair = pairs.find((x) => x.pair[0] === p.taskI && x.pair[1] === p.taskJ);
    if (!pair) pairs.push((pair = { pair: [p.taskI, p.taskJ], meanA: NaN, minA: NaN, meanB: NaN, minB: NaN }));
    if (p.side === 'A') [pair.meanA, pair.minA] = [p.meanDegrees, p.minDegrees];
    else [pair.meanB, pair.minB] = [p.meanDegrees, p.minDegrees];
  }
  const ranks = blockEffectiveRanks(a, b, blocks);
  const tasks: number[] = [];
  const shared: number[] = [];
  blocks.blocks.forEach((blk, k) => (blk.kind === 'task' ? (tasks[blk.task!] = ranks.blocks[k]) : shared.push(ranks.blocks[k])));
  return { module, layer, pairs, effectiveRank: { tasks, cooperative: shared.length === 1 ? shared[0] : null, delta: ranks.delta } };
}

function layerAverages(modules: readonly AnglesModule[]): AnglesEvent['layers'] {
  const byLayer = new Map<number, AnglesModule[]>();
  for (const m of modules) if (m.layer >= 0) byLayer.set(m.layer, [...(byLayer.get(m.layer) ?? []), m]);
  return [...byLayer.entries()].map(([layer, group]) => {
    const keys = [...new Set(group.flatMap((m) => m.pairs.map((p) => p.pair.join(','))))];
    const pairs = keys.map((key): PairAngles => {
      const all = group.flatMap((m) => m.pairs.filter((p) => p.pair.join(',') === key));
      const avg = (f: keyof Omit<PairAngles, 'pair'>) => meanOfFinite(all.map((p) => p[f]));
      return { pair: all[0].pair, meanA: avg('meanA'), minA: avg('minA'), meanB: avg('meanB'), minB: avg('minB') };
    });
    return { layer, pairs };
  });
}

/** The AnglesEvent for `step` from the adapter values (graph-input name → float32, as the trainer holds them). */
export function anglesEvent(
  step: number,
  context: DiagnosticsContext,
  modules: readonly ResolvedModule[],
  values: ReadonlyMap<string, Float32Array>,
): AnglesEvent {
  const out = modules.map((m) => {
    const blocks = context.blockMaps.get(m.peftName);
    if (!blocks) throw new Error(`diagnostics: module '${m.peftName}' has no block map; initialize the method on the same target modules`);
    const { a, b } = adapterMatrices(values, m.peftName, context.rank, m.dIn, m.dOut);
    return moduleDiagnostics(m.peftName, context.layers?.get(m.peftName) ?? layerIndexOf(m.peftName), blocks, a, b);
  });
  return { type: 'angles', step, modules: out, layers: layerAverages(out) };
}
