// The plan as DOM: per-task totals, one heatmap (layer × module) per task with r_t in each cell and H_t below
// it and the layer's means in the last column, the shared block's, and the step estimate. A cell's colour is its rank over the plan's largest rank
// (the --level custom property, set through the CSSOM, which the page's CSP allows; media/allocation.css).
import type { AllocationPlan, PlanModule } from '../../../src/protocol/plan-messages';

const count = (n: number) => n.toLocaleString('en-US');
const gib = (bytes: number) => `${(bytes / 2 ** 30).toFixed(2)} GiB`;

function el<K extends keyof HTMLElementTagNameMap>(tag: K, text?: string, className?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (className) e.className = className;
  return e;
}

function row(cells: (string | HTMLElement)[], header = false): HTMLTableRowElement {
  const tr = el('tr');
  for (const c of cells) {
    const td = el(header ? 'th' : 'td');
    if (typeof c === 'string') td.textContent = c;
    else td.append(c);
    tr.append(td);
  }
  return tr;
}

export function subtitleOf(plan: AllocationPlan): string {
  const tau = plan.temperature === 'uniform' ? 'uniform shares' : `τ = ${plan.temperature}`;
  const how = plan.perTask.length ? `, allocation per ${plan.allocation}, ${tau}` : '';
  return `${plan.method}, r = ${plan.rank} (alpha ${plan.alpha}), ${plan.modules.length} modules, ${plan.tasks.length} tasks${how}`;
}

export function totalsTable(plan: AllocationPlan): HTMLElement {
  const section = el('div');
  if (plan.perTask.length) {
    const table = el('table', undefined, 'totals');
    table.append(row(['task', 'mean r_t', 'mean H_t', 'parameters', 'preview tokens'], true));
    for (const t of plan.perTask) table.append(row([t.task, t.meanRank.toFixed(2), t.meanEntropy.toFixed(3), count(t.parameters), count(t.previewTokens)]));
    table.append(row(['shared (r_c)', plan.cooperative.meanRank.toFixed(2), '', count(plan.cooperative.parameters), '']));
    section.append(table);
  } else {
    section.append(el('p', `${plan.method} trains one block of rank ${plan.rank} in every module: there is no per-task allocation to preview.`, 'note'));
  }
  section.append(el('p', `Trainable parameters: ${count(plan.trainableParameters)}`, 'total'));
  return section;
}

/** One task's heatmap (task index), or the shared block's (undefined). */
export function heatmap(plan: AllocationPlan, task: number | undefined): HTMLTableElement {
  const layers = [...new Set(plan.modules.map((m) => m.layer))];
  const kinds = [...new Set(plan.modules.map((m) => m.kind))];
  const byKey = new Map(plan.modules.map((m) => [`${m.layer}\u0000${m.kind}`, m]));
  const rankOf = (m: PlanModule) => (task === undefined ? m.cooperativeRank : m.ranks[task]);
  const top = Math.max(1, ...plan.modules.flatMap((m) => [...m.ranks, m.cooperativeRank]));
  const table = el('table', undefined, 'heatmap');
  table.dataset.task = task === undefined ? 'shared' : plan.tasks[task];
  table.append(row(['layer', ...kinds, ...(task === undefined ? [] : ['mean'])], true));
  for (const layer of layers) {
    const tr = row([layer < 0 ? '–' : String(layer)]);
    for (const kind of kinds) {
      const td = el('td', undefined, 'cell');
      const m = byKey.get(`${layer}\u0000${kind}`);
      if (m) {
        const rank = rankOf(m);
        td.append(el('span', String(rank), 'rank'));
        const h = task === undefined ? undefined : m.entropies?.[task];
        if (h !== undefined) td.append(el('span', h.toFixed(3), 'entropy'));
        td.style.setProperty('--level', String(rank / top));
        td.title = `${m.module} (${m.dIn} → ${m.dOut}): ${task === undefined ? 'r_c' : 'r_t'} = ${rank}${h === undefined ? '' : `, H_t = ${h.toFixed(4)}`}`;
      }
      tr.append(td);
    }
    if (task !== undefined) {
      const mean = plan.layers.find((l) => l.layer === layer)!;
      const td = el('td', undefined, 'layer-mean');
      td.append(el('span', mean.meanRanks[task].toFixed(2), 'rank'));
      if (mean.meanEntropies.length) td.append(el('span', mean.meanEntropies[task].toFixed(3), 'entropy'));
      td.title = `layer ${layer}: mean r_t over its ${mean.modules} modules`;
      tr.append(td);
    }
    table.append(tr);
  }
  return table;
}

export function heatmaps(plan: AllocationPlan): HTMLElement {
  const section = el('div');
  if (!plan.perTask.length) return section;
  plan.tasks.forEach((task, t) => {
    section.append(el('h3', `${task}: r_t (H_t below), layer × module, and the layer's mean`), heatmap(plan, t));
  });
  section.append(el('h3', 'shared block: r_c, layer × module'), heatmap(plan, undefined));
  return section;
}

export function estimateLines(plan: AllocationPlan): HTMLElement {
  const section = el('div');
  const e = plan.estimate;
  if (e) {
    section.append(
      el('p', `Step (micro-batch ${e.batch}×${e.seq}, the length of ${e.seqReason}): about ${e.stepMs.toFixed(0)} ms; optimizer step (${e.gradAccumulation}×): ${e.optimizerStepMs.toFixed(0)} ms; the run: about ${e.runMinutes.toFixed(1)} min${e.fromCache ? ' (steps profiled by an earlier preview)' : ''}.`),
      el('p', `Peak memory about ${gib(e.peakBytes)} of ${gib(e.machineBytes)} (${gib(e.availableBytes)} free).`),
    );
    if (e.warning) section.append(el('p', e.warning, 'warning'));
  } else if (plan.noEstimate) {
    section.append(el('p', `Step estimate: ${plan.noEstimate}.`, 'note'));
  }
  const c = plan.cache;
  const reused = c ? `; spectra of ${c.spectra.hits}/${c.spectra.hits + c.spectra.misses} modules from the cache` : '';
  section.append(el('p', `Planned in ${(plan.timings.totalMs / 1000).toFixed(1)} s${reused}.`, 'note'));
  if (c?.writeProblem) section.append(el('p', `The cache could not be written: ${c.writeProblem}`, 'warning'));
  return section;
}
