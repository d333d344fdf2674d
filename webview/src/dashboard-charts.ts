// The dashboard's Chart.js charts, one per entry of src/protocol/dashboard-charts.ts. Only the pieces used are
// registered (tree-shaking); every render updates the charts in place with update('none') and no animation;
// long series reach Chart.js already decimated to the plot's pixel columns (pixel-buckets.ts), the tooltip reading
// the undecimated points (each-series-interaction.ts). What each chart holds comes from chart-content.ts.
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  type ChartDataset,
  type ChartOptions,
  LinearScale,
  LineController,
  LineElement,
  LogarithmicScale,
  PointElement,
  Tooltip,
  type TooltipItem,
} from 'chart.js';
import { color } from 'chart.js/helpers';
import { chartIds, dashboardCharts, type ChartId, type ChartSpec } from '../../src/protocol/dashboard-charts';
import { chartContent, type BarContent, type ChartContent, type ComparedRun, type HeatmapContent, type LineContent, type XAxis } from './chart-content';
import { chartCsv } from './chart-csv';
import { canvasPng, formatValue, formatX, logTick } from './chart-format';
import { drawAllocationHeatmap, heatmapCellAt } from './allocation-heatmap';
import { hoveredPoint } from './each-series-interaction';
import { htmlLegend } from './html-legend';
import { stepCrosshair } from './step-crosshair';
import { stepZoom } from './step-zoom';
import { shortModuleName, type AllocationBars } from './allocation-series';
import type { Point } from './run-series';
import { bucketPoints } from './pixel-buckets';
import { smoothGrowingPoints } from './smoothing';
import type { ThemeColors } from './theme-colors';

Chart.register(LineController, BarController, LineElement, BarElement, PointElement, LinearScale, LogarithmicScale, CategoryScale, Tooltip, htmlLegend, stepCrosshair, stepZoom);

export type { ComparedRun } from './chart-content';

export interface ChartElements {
  canvas: HTMLCanvasElement;
  legend: HTMLElement;
  empty: HTMLElement;
}

/** A zoomed x range of the step charts (steps, or minutes on the wall-time axis). */
export interface XRange {
  min: number;
  max: number;
}

export interface ChartSettings {
  /** EMA weight in [0, 1) for the charts whose spec says smoothed. */
  smoothing: number;
  logScale: boolean;
  xAxis: XAxis;
}

/** `points`: every point of the series (`data` may be decimated), for the tooltip and Export CSV's sake. */
type LineData = ChartDataset<'line', Point[]> & { seriesKey: string; faint?: boolean; points: readonly Point[] };

/** Compared runs (and the B side of the angles) are told apart by dash; colours stay with the task. */
const dashes = [[], [6, 3], [2, 2], [10, 4, 2, 4]];
/** Columns to decimate to while a chart has no width yet (hidden): its first resize decimates it again. */
const unknownWidthColumns = 1000;
/** Series with at most this many points get markers: a single eval point must be visible. */
const sparsePoints = 25;

/** A number per point array, so a signature can tell a grown array from a rebuilt one. */
const arrayIds = new WeakMap<readonly Point[], number>();
let nextArrayId = 0;
function arrayId(points: readonly Point[]): number {
  let id = arrayIds.get(points);
  if (id === undefined) arrayIds.set(points, (id = nextArrayId++));
  return id;
}

export class DashboardCharts {
  private readonly lineCharts = new Map<ChartId, Chart<'line', Point[]>>();
  private allocationChart?: Chart<'bar', number[], string>;
  /** Series the user switched off, per chart, by series key; kept across renders and redraws. */
  private readonly hidden = new Map<ChartId, Set<string>>(chartIds.map((id) => [id, new Set()]));
  /** Read by the allocation tooltip, so hovering shows the entropies of the data currently drawn. */
  private allocation?: AllocationBars;
  private last?: { runs: readonly ComparedRun[]; settings: ChartSettings; waiting?: string; content: Record<ChartId, ChartContent> };
  /** The step under the pointer in any step chart: every step chart draws its crosshair there. */
  private hoveredStep?: number;
  /** What each line chart last drew (its content, settings, zoom, hidden series): an unchanged chart is not updated. */
  private readonly drawnSignatures = new Map<ChartId, string>();
  /** The x range dragged on any step chart, shown by all of them; it belongs to one x axis (steps or minutes). */
  private zoom?: XRange & { xAxis: XAxis };

  /** `onZoom`: the step charts' zoom changed (the page shows Reset zoom while zoomed). */
  constructor(private readonly elements: Record<ChartId, ChartElements>, private colors: ThemeColors, private readonly onZoom: (range: XRange | undefined) => void = () => undefined) {
    // Chart.js follows its box's size; the heatmaps are drawn to the width they had, so they are drawn again.
    const box = elements.allocationHeatmap.canvas.parentElement;
    if (box) new ResizeObserver(() => {
      const c = this.last?.content.allocationHeatmap;
      if (c?.kind === 'heatmap' && !c.empty) this.setHeatmap(c);
    }).observe(box);
  }

  /** The step charts' current zoom, if any. */
  zoomed(): XRange | undefined {
    return this.zoom && this.zoom.xAxis === this.last?.settings.xAxis ? { min: this.zoom.min, max: this.zoom.max } : undefined;
  }

  setZoom(range: XRange | undefined): void {
    const xAxis = this.last?.settings.xAxis ?? 'step';
    // Steps are whole: a drag selects the steps it covers.
    const whole = range && xAxis === 'step' ? { min: Math.floor(range.min), max: Math.max(Math.ceil(range.max), Math.floor(range.min) + 1) } : range;
    this.zoom = whole ? { ...whole, xAxis } : undefined;
    this.onZoom(this.zoomed());
    if (this.last) this.render(this.last.runs, this.last.settings, this.last.waiting);
  }

  /** The chart's data as drawn (raw, without the series hidden in its legend), for Export CSV. */
  csv(id: ChartId): string {
    const content = this.last?.content[id];
    return content && !content.empty ? chartCsv(content, this.hidden.get(id)) : '';
  }

  /** The chart as a PNG on the page's background (the canvas itself is transparent), base64 without the data: prefix. */
  png(id: ChartId): string {
    const spec = dashboardCharts.find((c) => c.id === id)!;
    const runs = this.last?.runs ?? [];
    const chart = id === 'allocation' ? this.allocationChart : this.lineCharts.get(id);
    const datasets = (chart?.data.datasets ?? []) as (ChartDataset & { faint?: boolean; borderDash?: number[] })[];
    const legend = datasets
      .filter((d) => !d.faint && !d.hidden)
      .map((d) => ({ label: String(d.label), color: String(d.type === 'bar' || id === 'allocation' || !d.borderColor ? d.backgroundColor : d.borderColor), dashed: !!d.borderDash?.length }));
    const title = runs.length ? `${spec.title} · ${runs.map((r) => r.label).join(' vs ')}` : spec.title;
    return canvasPng(this.elements[id].canvas, { title, legend, background: this.colors.background, foreground: this.colors.foreground, font: this.colors.font });
  }

  setColors(colors: ThemeColors): void {
    this.colors = colors;
    // Colours live in options and datasets: rebuild the charts, the next render refills them.
    for (const chart of this.lineCharts.values()) chart.destroy();
    this.lineCharts.clear();
    this.allocationChart?.destroy();
    this.allocationChart = undefined;
  }

  render(runs: readonly ComparedRun[], settings: ChartSettings, waiting?: string): void {
    const content = chartContent(runs, waiting, settings.xAxis);
    this.last = { runs, settings, waiting, content };
    for (const spec of dashboardCharts) {
      const c = content[spec.id];
      this.showEmpty(spec.id, c.empty);
      if (c.empty) continue;
      if (c.kind === 'line') this.setLine(spec, c, settings);
      else if (c.kind === 'bar') this.setAllocation(c);
      else this.setHeatmap(c);
    }
  }

  private toggle(id: ChartId, key: string): void {
    const hidden = this.hidden.get(id)!;
    if (!hidden.delete(key)) hidden.add(key);
    if (this.last) this.render(this.last.runs, this.last.settings, this.last.waiting);
  }

  private hoverStep(step: number | undefined): void {
    if (step === this.hoveredStep) return;
    this.hoveredStep = step;
    // draw() repaints from the current layout, without the cost of an update.
    for (const chart of this.lineCharts.values()) chart.draw();
  }

  private showEmpty(id: ChartId, reason: string | undefined): void {
    const { empty, canvas } = this.elements[id];
    empty.textContent = reason ?? '';
    empty.hidden = !reason;
    canvas.closest('.chart-section')?.classList.toggle('is-empty', !!reason);
  }

  /** `columns`: the plot's width in pixels, to which the series are decimated over the x range shown. */
  private lineDatasets(spec: ChartSpec, content: LineContent, settings: ChartSettings, columns: number): LineData[] {
    const palette = this.colors.palette;
    const hidden = this.hidden.get(spec.id)!;
    const zoom = content.xTitle === 'layer' ? undefined : this.zoomed();
    const range = zoom ?? (content.xMin !== undefined && content.xMax !== undefined ? { min: content.xMin, max: content.xMax } : undefined);
    const drawn = (points: readonly Point[]) => (range ? bucketPoints(points, range, columns) : points) as Point[];
    return content.series.flatMap((s) => {
      const stroke = palette[s.color % palette.length];
      const sparse = s.points.length <= sparsePoints;
      const smooth = spec.smoothed && settings.smoothing > 0 && !sparse;
      const base = {
        label: s.label,
        seriesKey: s.key,
        hidden: hidden.has(s.key),
        borderColor: stroke,
        backgroundColor: stroke,
        borderWidth: 1.5,
        borderDash: dashes[s.dash % dashes.length],
        pointRadius: sparse ? 3 : 0,
        pointHoverRadius: 4,
        tension: 0,
        yAxisID: s.rightAxis ? 'y1' : 'y',
      };
      const points = smooth ? smoothGrowingPoints(s.points, settings.smoothing) : s.points;
      const line: LineData = { ...base, data: drawn(points), points, order: 0 };
      if (!smooth) return [line];
      // The raw values stay visible, faint and under the smoothed line (higher order is drawn first).
      const faint = color(stroke).alpha(0.25).rgbString();
      return [line, { ...base, data: drawn(s.points), points: s.points, faint: true, borderColor: faint, backgroundColor: faint, borderWidth: 1, order: 1 }];
    });
  }

  private lineOptions(spec: ChartSpec, content: LineContent, settings: ChartSettings): ChartOptions<'line'> {
    const colors = this.colors;
    const log = settings.logScale && spec.logScale;
    const ticks = { color: colors.foreground };
    const yTicks = log ? { ...ticks, callback: logTick } : ticks;
    const title = (text: string) => ({ display: true, text, color: colors.foreground });
    const xIsLayer = content.xTitle === 'layer';
    const zoom = xIsLayer ? undefined : this.zoomed();
    // The tooltip's title names the hovered x; a series sampled elsewhere (evals) says where its point is.
    let hoveredX: number | undefined;
    return {
      animation: false,
      parsing: false,
      normalized: true,
      responsive: true,
      maintainAspectRatio: false,
      // The series are decimated to the plot's width: a wider plot gets them again at its new width.
      onResize: () => requestAnimationFrame(() => this.last && this.render(this.last.runs, this.last.settings, this.last.waiting)),
      interaction: { mode: 'eachSeries', intersect: false },
      // Chart.js listens to mousemove, mouseout and clicks by default; the zoom drag needs the buttons too.
      events: ['mousemove', 'mouseout', 'click', 'mousedown', 'mouseup', 'dblclick'],
      scales: {
        x: { type: 'linear', min: zoom?.min ?? content.xMin, max: zoom?.max ?? content.xMax, ticks: { ...ticks, ...(content.xTitle === 'minutes' ? {} : { precision: 0 }), ...(xIsLayer ? { stepSize: 1 } : {}) }, grid: { color: colors.grid }, title: title(content.xTitle) },
        y: { type: log ? 'logarithmic' : 'linear', ticks: yTicks, grid: { color: colors.grid }, title: title(content.yTitle) },
        // L_SPR (raw, before λ) lives on its own right-hand axis: its scale has nothing to do with the loss's.
        y1: { type: log ? 'logarithmic' : 'linear', display: 'auto', position: 'right', ticks: yTicks, grid: { drawOnChartArea: false }, title: title('L_SPR (raw)') },
      },
      plugins: {
        htmlLegend: { container: this.elements[spec.id].legend, onToggle: (key) => this.toggle(spec.id, key) },
        stepZoom: { enabled: !xIsLayer, color: colors.foreground, onZoom: (range) => this.setZoom(range) },
        stepCrosshair: { enabled: !xIsLayer, color: colors.foreground, step: () => this.hoveredStep, onHover: (step) => this.hoverStep(step) },
        tooltip: {
          filter: (item) => !(item.dataset as LineData).faint,
          callbacks: {
            title: (items) => {
              hoveredX = items[0] && hoveredPoint(items[0]).x;
              return hoveredX === undefined ? '' : `${content.xTitle} ${formatX(hoveredX)}`;
            },
            label: (item: TooltipItem<'line'>) => {
              const p = hoveredPoint(item);
              return `${item.dataset.label}: ${formatValue(p.y)}${p.x === hoveredX ? '' : ` (${content.xTitle} ${formatX(p.x)})`}`;
            },
          },
        },
      },
    };
  }

  private setLine(spec: ChartSpec, content: LineContent, settings: ChartSettings): void {
    // A live append changes the step charts; the others (evals, angles) are left alone until theirs change.
    // A series' points only ever grow (run-series), so it is the same when its array and its length are.
    const existing = this.lineCharts.get(spec.id);
    const columns = Math.round(existing?.chartArea?.width ?? this.elements[spec.id].canvas.parentElement?.clientWidth ?? 0) || unknownWidthColumns;
    const signature = JSON.stringify([
      { ...content, series: content.series.map((s) => [s.key, s.label, s.color, s.dash, arrayId(s.points), s.points.length]) },
      settings, this.zoomed(), [...this.hidden.get(spec.id)!], columns,
    ]);
    if (existing && this.drawnSignatures.get(spec.id) === signature) return;
    this.drawnSignatures.set(spec.id, signature);
    const datasets = this.lineDatasets(spec, content, settings, columns);
    const options = this.lineOptions(spec, content, settings);
    // The axes in words, for screen readers (and for tests, which cannot read a canvas).
    const zoom = content.xTitle === 'layer' ? undefined : this.zoomed();
    const range = zoom ? ` (zoomed to ${formatX(zoom.min)}–${formatX(zoom.max)})` : '';
    this.elements[spec.id].canvas.setAttribute('aria-label', `${spec.title}: ${content.yTitle}${options.scales?.y?.type === 'logarithmic' ? ' (log scale)' : ''} by ${content.xTitle}${range}`);
    if (existing) {
      existing.options = options;
      existing.data.datasets = datasets;
      existing.update('none');
      return;
    }
    this.lineCharts.set(spec.id, new Chart(this.elements[spec.id].canvas, { type: 'line', data: { datasets }, options }));
  }

  private setHeatmap(content: HeatmapContent): void {
    const grid = content.grid!;
    const { canvas, legend } = this.elements.allocationHeatmap;
    // Live runs re-render every second; the allocation is drawn again only when it, the width or the theme changed.
    const signature = JSON.stringify([grid, canvas.parentElement?.clientWidth, this.colors]);
    if (canvas.dataset.signature === signature) return;
    canvas.dataset.signature = signature;
    drawAllocationHeatmap(canvas, grid, this.colors);
    canvas.setAttribute('aria-label', `Rank allocation heatmaps of ${grid.grids.map((g) => g.name).join(', ')}: ${grid.layers.length} layers × ${grid.kinds.length} modules`);
    // The columns in words above the grids (too many for the cells' width); the cell under the pointer as a tooltip.
    legend.textContent = `columns: ${grid.kinds.join(' · ')}`;
    canvas.onmousemove = (e) => {
      canvas.title = heatmapCellAt(grid, canvas.clientWidth, e.offsetX, e.offsetY) ?? '';
    };
  }

  private setAllocation(content: BarContent): void {
    const bars = content.bars!;
    this.allocation = bars;
    const colors = this.colors;
    const hidden = this.hidden.get('allocation')!;
    const labels = bars.modules.map(shortModuleName);
    const datasets = bars.segments.map((segment, i) => ({
      label: segment.name,
      seriesKey: segment.name,
      hidden: hidden.has(segment.name),
      data: segment.ranks,
      backgroundColor: i === bars.segments.length - 1 ? colors.grid : colors.palette[i % colors.palette.length],
      stack: 'rank',
    }));
    const existing = this.allocationChart;
    if (existing) {
      existing.data.labels = labels;
      existing.data.datasets = datasets;
      existing.update('none');
      return;
    }
    // Tooltip: the task's rank and its normalised spectral entropy H_t for that module (HASI's input).
    const label = (item: TooltipItem<'bar'>): string => {
      const segment = this.allocation?.segments[item.datasetIndex];
      const entropy = segment?.entropies[item.dataIndex];
      return `${item.dataset.label}: r = ${item.raw}${entropy === null || entropy === undefined ? '' : `, H = ${entropy.toFixed(3)}`}`;
    };
    const axis = { ticks: { color: colors.foreground }, grid: { color: colors.grid } };
    this.allocationChart = new Chart(this.elements.allocation.canvas, {
      type: 'bar',
      data: { labels, datasets },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        interaction: { mode: 'index', intersect: false },
        scales: { x: { ...axis, stacked: true }, y: { ...axis, stacked: true, title: { display: true, text: 'rank', color: colors.foreground } } },
        plugins: {
          htmlLegend: { container: this.elements.allocation.legend, onToggle: (key) => this.toggle('allocation', key) },
          tooltip: { callbacks: { title: (items) => (items[0] ? this.allocation?.modules[items[0].dataIndex] ?? '' : ''), label } },
        },
      },
    });
  }
}
