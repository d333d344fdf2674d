// A chart's data as CSV, for Export CSV: what the chart holds (chart-content.ts), raw, before smoothing. Line
// charts in long form, one row per point (series, x, value), so series sampled at different steps (evals,
// angles) need no blank cells; the allocation one row per module with a column per task and the cooperative
// block; the heatmap one row per task, layer and module. Fields with a comma, quote or line break are quoted (RFC 4180).
import type { ChartContent } from './chart-content';

const field = (value: string | number) => {
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};
const line = (fields: (string | number)[]) => fields.map(field).join(',');

/** Series that are hidden in the legend are left out when `hidden` names their keys (what you see is what you get). */
export function chartCsv(content: ChartContent, hidden: ReadonlySet<string> = new Set()): string {
  if (content.kind === 'bar') {
    const bars = content.bars;
    if (!bars) return '';
    const segments = bars.segments.filter((s) => !hidden.has(s.name));
    const rows = bars.modules.map((module, m) => line([module, ...segments.map((s) => s.ranks[m])]));
    return [line(['module', ...segments.map((s) => `${s.name} rank`)]), ...rows].join('\n') + '\n';
  }
  if (content.kind === 'heatmap') {
    const grid = content.grid;
    if (!grid) return '';
    const rows = grid.grids.flatMap((g) => grid.layers.flatMap((layer, i) => grid.kinds.flatMap((kind, j) => (g.ranks[i][j] === null ? [] : [line([g.name, layer, kind, g.ranks[i][j]!])]))));
    return [line(['block', 'layer', 'module', 'rank']), ...rows].join('\n') + '\n';
  }
  const rows = content.series.filter((s) => !hidden.has(s.key)).flatMap((s) => s.points.map((p) => line([s.label, p.x, p.y])));
  return [line(['series', content.xTitle, content.yTitle]), ...rows].join('\n') + '\n';
}
