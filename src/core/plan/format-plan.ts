// The plan as text for a terminal: per-task totals, then one layer × module table per task with r_t and H_t in
// each cell (the heatmap of the VS Code panel, in characters), the shared block, and the estimate.
import { AllocationPlan, PlanModule } from './allocation-plan';

const count = (n: number) => n.toLocaleString('en-US');
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const gib = (bytes: number) => `${(bytes / 2 ** 30).toFixed(2)} GiB`;

function table(rows: string[][]): string[] {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ').trimEnd());
}

/** Rows = layers, columns = module kinds, in the order the targets list them. */
export function layerGrid(modules: readonly PlanModule[]): { layers: number[]; kinds: string[]; cell(layer: number, kind: string): PlanModule | undefined } {
  const layers = [...new Set(modules.map((m) => m.layer))];
  const kinds = [...new Set(modules.map((m) => m.kind))];
  const byKey = new Map(modules.map((m) => [`${m.layer}\u0000${m.kind}`, m]));
  return { layers, kinds, cell: (layer, kind) => byKey.get(`${layer}\u0000${kind}`) };
}

export function formatPlan(plan: AllocationPlan): string {
  const out: string[] = [];
  const tau = plan.temperature === 'uniform' ? 'uniform shares' : `τ = ${plan.temperature}`;
  out.push(`${plan.experiment}: ${plan.method}, r = ${plan.rank} (alpha ${plan.alpha}) on ${plan.modules.length} modules, ${plan.tasks.length} tasks`);
  if (plan.perTask.length) out.push(`HASI allocation per ${plan.allocation}, ${tau}`);
  else out.push(`${plan.method} trains one block of rank ${plan.rank} in every module: there is no per-task allocation to preview`);
  out.push('');
  if (plan.perTask.length) {
    out.push(
      ...table([
        ['task', 'mean r_t', 'mean H_t', 'parameters', 'preview tokens'],
        ...plan.perTask.map((t) => [t.task, t.meanRank.toFixed(2), t.meanEntropy.toFixed(3), count(t.parameters), count(t.previewTokens)]),
        ['shared (r_c)', plan.cooperative.meanRank.toFixed(2), '', count(plan.cooperative.parameters), ''],
      ]),
    );
    out.push('');
  }
  out.push(`trainable parameters: ${count(plan.trainableParameters)}`);
  if (plan.perTask.length) {
    const grid = layerGrid(plan.modules);
    plan.tasks.forEach((task, t) => {
      out.push('', `r_t (H_t) of task '${task}', layer × module, and the layer's mean:`);
      const rows = grid.layers.map((layer) => {
        const mean = plan.layers.find((l) => l.layer === layer)!;
        return [
          layer < 0 ? '-' : String(layer),
          ...grid.kinds.map((kind) => {
            const m = grid.cell(layer, kind);
            return m ? `${m.ranks[t]} (${m.entropies![t].toFixed(3)})` : '';
          }),
          `${mean.meanRanks[t].toFixed(2)} (${mean.meanEntropies[t].toFixed(3)})`,
        ];
      });
      out.push(...table([['layer', ...grid.kinds, 'mean'], ...rows]));
    });
    const shared = grid.layers.map((layer) => [layer < 0 ? '-' : String(layer), ...grid.kinds.map((kind) => String(grid.cell(layer, kind)?.cooperativeRank ?? ''))]);
    out.push('', 'r_c (shared block), layer × module:', ...table([['layer', ...grid.kinds], ...shared]));
  }
  out.push('');
  const e = plan.estimate;
  if (e) {
    out.push(
      `step estimate (micro-batch ${e.batch}×${e.seq}, the length of ${e.seqReason}): ${e.stepMs.toFixed(0)} ms, ${e.gflopPerStep.toFixed(2)} GFLOP at ${e.sgemmPeakGflops.toFixed(0)} GFLOP/s SGEMM; ` +
        `peak memory ${gib(e.peakBytes)} of ${gib(e.machineBytes)} (${gib(e.availableBytes)} free)`,
    );
    out.push(
      `optimizer step (${e.gradAccumulation} micro-batch${e.gradAccumulation === 1 ? '' : 'es'}): ${e.optimizerStepMs.toFixed(0)} ms; the run ≈ ${e.runMinutes.toFixed(1)} min` +
        (e.fromCache ? ' (steps profiled by an earlier plan, from the cache)' : ''),
    );
    if (e.warning) out.push(`warning: ${e.warning}`);
  } else if (plan.noEstimate) {
    out.push(`step estimate: ${plan.noEstimate}`);
  }
  const c = plan.cache;
  if (c) {
    const where = c.dir ? ` in ${c.dir}` : ' (no cache)';
    const recomputed = c.spectra.misses ? `; of the ${c.spectra.misses} computed, covariances of ${c.covariances.hits} reused, ${c.covariances.misses} previewed` : ' (no preview, no SVD)';
    out.push(`cache${where}: spectra of ${c.spectra.hits}/${c.spectra.hits + c.spectra.misses} modules reused${recomputed}`);
    if (c.covariancesNotStored) out.push(`cache: ${c.covariancesNotStored}`);
    if (c.writeProblem) out.push(`cache: not written: ${c.writeProblem}`);
  }
  const tm = plan.timings;
  out.push(`planned in ${seconds(tm.totalMs)} (preview ${seconds(tm.previewMs)}, SVDs ${seconds(tm.svdMs)}, estimate ${seconds(tm.estimateMs)})`);
  return out.join('\n');
}
