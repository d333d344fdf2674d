// The dashboard's Chart.js charts. Only the pieces used are registered (tree-shaking); live data is updated
// in place with update('none') and no animation; long series are decimated (LTTB) on linear step axes.
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  type ChartDataset,
  Decimation,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
  type TooltipItem,
} from 'chart.js';
import { allocationBars, type AllocationBars, angleOverStepsSeries, anglesPerLayer, evalAccuracySeries, lossSeries, perTaskLossSeries, shortModuleName, throughputSeries, type NamedSeries, type Point, type RunView } from './run-series';
import type { ThemeColors } from './theme-colors';

Chart.register(LineController, BarController, LineElement, BarElement, PointElement, LinearScale, CategoryScale, Tooltip, Legend, Decimation);

export interface ComparedRun {
  label: string;
  view: RunView;
}

export type ChartId = 'allocation' | 'loss' | 'taskLoss' | 'anglesSteps' | 'anglesLayers' | 'eval' | 'throughput';
export const chartIds: ChartId[] = ['allocation', 'loss', 'taskLoss', 'anglesSteps', 'anglesLayers', 'eval', 'throughput'];

type LineData = ChartDataset<'line', Point[]>;

const decimation = { enabled: true, algorithm: 'lttb' as const, samples: 400, threshold: 800 };
/** Overlaid runs are drawn dashed; one dash pattern per compared run. */
const dashes = [[], [6, 3], [2, 2], [10, 4, 2, 4]];

function lineOptions(colors: ThemeColors, yTitle: string, xTitle = 'step') {
  const axis = (title: string) => ({ type: 'linear' as const, ticks: { color: colors.foreground, ...(title === 'layer' ? { stepSize: 1 } : {}) }, grid: { color: colors.grid }, title: { display: true, text: title, color: colors.foreground } });
  return {
    animation: false as const,
    parsing: false as const,
    normalized: true,
    responsive: true,
    maintainAspectRatio: false,
    interaction: { mode: 'nearest' as const, intersect: false },
    scales: {
      x: axis(xTitle),
      y: axis(yTitle),
      // L_SPR (raw, before λ) lives on its own right-hand axis: its scale has nothing to do with the loss's.
      y1: { ...axis('L_SPR (raw)'), position: 'right' as const, display: 'auto' as const, grid: { drawOnChartArea: false } },
    },
    plugins: { decimation, legend: { labels: { color: colors.foreground, boxWidth: 12 } } },
  };
}

/** Series named L_SPR are drawn against the right-hand axis. */
function onSprAxis(datasets: LineData[]): LineData[] {
  return datasets.map((d) => (String(d.label).endsWith('L_SPR') ? { ...d, yAxisID: 'y1' } : d));
}

function line(label: string, points: Point[], color: string, dash: number[] = []): LineData {
  return { label, data: points, borderColor: color, backgroundColor: color, borderWidth: 1.5, borderDash: dash, pointRadius: 0, tension: 0 };
}

/** Main run first, then each compared run dashed and labelled with its run label. */
function overlay(runs: ComparedRun[], colors: ThemeColors, seriesOf: (view: RunView) => NamedSeries[]): LineData[] {
  const datasets: LineData[] = [];
  runs.forEach((run, r) => {
    seriesOf(run.view).forEach((s, i) => {
      const label = runs.length > 1 ? `${run.label}: ${s.name}` : s.name;
      datasets.push(line(label, s.points, colors.palette[i % colors.palette.length], dashes[r % dashes.length]));
    });
  });
  return datasets;
}

export class DashboardCharts {
  private readonly charts = new Map<ChartId, Chart>();
  /** Read by the allocation tooltip, so hovering shows the entropies of the data currently drawn. */
  private allocation?: AllocationBars;

  constructor(private readonly canvases: Record<ChartId, HTMLCanvasElement>, private colors: ThemeColors) {}

  setColors(colors: ThemeColors): void {
    this.colors = colors;
    // Colours live in options and datasets: rebuild the charts, the next render refills them.
    for (const chart of this.charts.values()) chart.destroy();
    this.charts.clear();
  }

  render(runs: ComparedRun[]): void {
    const colors = this.colors;
    this.setLine('loss', 'loss', overlay(runs, colors, (v) => {
      const l = lossSeries(v);
      return [{ name: 'total', points: l.total }, { name: 'task', points: l.task }, ...(l.spr.length ? [{ name: 'L_SPR', points: l.spr }] : [])];
    }));
    this.setLine('taskLoss', 'loss per task', overlay(runs, colors, perTaskLossSeries));
    this.setLine('anglesSteps', 'mean principal angle (°)', overlay(runs.slice(0, 1), colors, angleOverStepsSeries));
    this.setLine('eval', 'eval accuracy', overlay(runs, colors, evalAccuracySeries));
    this.setLine('throughput', 'tokens/s', overlay(runs, colors, (v) => [{ name: 'tokens/s', points: throughputSeries(v) }]));
    const perLayer = runs[0] ? anglesPerLayer(runs[0].view) : undefined;
    this.setLine('anglesLayers', `angle at step ${perLayer?.step ?? '–'} (°)`, perLayer ? overlay([{ label: '', view: runs[0].view }], colors, () => perLayer.series) : [], 'layer');
    this.setAllocation(runs[0]?.view);
  }

  private setLine(id: ChartId, yTitle: string, lines: LineData[], xTitle = 'step'): void {
    const datasets = onSprAxis(lines);
    const existing = this.charts.get(id);
    if (existing) {
      existing.data.datasets = datasets;
      existing.update('none');
      return;
    }
    this.charts.set(id, new Chart(this.canvases[id], { type: 'line', data: { datasets }, options: lineOptions(this.colors, yTitle, xTitle) }));
  }

  private setAllocation(view: RunView | undefined): void {
    const bars = view ? allocationBars(view) : undefined;
    this.allocation = bars;
    const colors = this.colors;
    const labels = bars?.modules.map(shortModuleName) ?? [];
    const datasets = (bars?.segments ?? []).map((segment, i) => ({
      label: segment.name,
      data: segment.ranks,
      backgroundColor: i === bars!.segments.length - 1 ? colors.grid : colors.palette[i % colors.palette.length],
      stack: 'rank',
    }));
    const existing = this.charts.get('allocation');
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
    this.charts.set('allocation', new Chart(this.canvases.allocation, {
      type: 'bar',
      data: { labels, datasets },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        scales: { x: { ...axis, stacked: true }, y: { ...axis, stacked: true, title: { display: true, text: 'rank', color: colors.foreground } } },
        plugins: {
          legend: { labels: { color: colors.foreground, boxWidth: 12 } },
          tooltip: { callbacks: { title: (items) => (items[0] ? this.allocation?.modules[items[0].dataIndex] ?? '' : ''), label } },
        },
      },
    }));
  }
}
