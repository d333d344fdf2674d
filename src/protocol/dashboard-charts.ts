// The dashboard's charts, one list for the host (the page's sections, in this order) and the webview (each id
// must have a renderer: webview/src/dashboard-charts.ts keys them by ChartId, so a chart added here and not
// drawn there, or drawn there and not listed here, does not compile). Element ids derive from the chart id.
export const chartIds = ['allocation', 'allocationHeatmap', 'loss', 'taskLoss', 'anglesSteps', 'anglesLayers', 'eval', 'throughput'] as const;
export type ChartId = (typeof chartIds)[number];

export interface ChartSpec {
  id: ChartId;
  title: string;
  /** Shown on hover over the title. */
  hint: string;
  /** EMA smoothing applies (noisy per-step series). */
  smoothed: boolean;
  /** The log-scale toggle applies to the y axis. */
  logScale: boolean;
}

export const dashboardCharts: readonly ChartSpec[] = [
  { id: 'allocation', title: 'Rank allocation per module', hint: 'Task-specific ranks r_t from HASI, stacked with the cooperative block; hover for the spectral entropy H_t.', smoothed: false, logScale: false },
  { id: 'allocationHeatmap', title: 'Rank allocation: layer × module', hint: "Each task's r_t (and the cooperative r_c) as a heatmap: a row per layer, a column per module; darker is more rank.", smoothed: false, logScale: false },
  { id: 'loss', title: 'Loss and L_SPR', hint: 'Total loss, task loss and the raw subspace-preserving regularizer (right axis) over steps.', smoothed: true, logScale: true },
  { id: 'taskLoss', title: 'Loss per task', hint: 'Mean loss of each task on the batches that contained it.', smoothed: true, logScale: true },
  { id: 'anglesSteps', title: 'Subspace angles over steps', hint: 'Mean principal angle between task subspaces (A side), averaged over layers.', smoothed: false, logScale: false },
  { id: 'anglesLayers', title: 'Subspace angles per layer', hint: 'Latest mean principal angles per layer; A side solid, B side dashed.', smoothed: false, logScale: false },
  { id: 'eval', title: 'Eval accuracy per task', hint: "Accuracy on each task's eval split.", smoothed: false, logScale: false },
  { id: 'throughput', title: 'Throughput', hint: 'Tokens per second over steps.', smoothed: true, logScale: false },
];

/** DOM ids of a chart's parts in the dashboard page. */
export function chartElementIds(id: ChartId): { canvas: string; legend: string; empty: string } {
  return { canvas: `chart-${id}`, legend: `legend-${id}`, empty: `empty-${id}` };
}
