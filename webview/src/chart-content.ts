// What each chart shows for the runs on screen, or why it shows nothing: pure (no DOM, no Chart.js), so the
// choices (series, colours by task, dashes by run, axis ranges, empty-state reasons) are unit-tested.
import type { ChartId } from '../../src/protocol/dashboard-charts';
import { hasTaskBlocks, isMethodName, methodSpec } from '../../src/core/method/method-registry';
import { allocationBars, allocationGrid, type AllocationBars, type AllocationGrid } from './allocation-series';
import { angleOverStepsSeries, anglesPerLayer, evalAccuracySeries, lossSeries, minutesAtStep, perTaskLossSeries, taskNames, throughputSeries, type NamedSeries, type Point, type RunView } from './run-series';

export interface ComparedRun {
  label: string;
  view: RunView;
}

export interface SeriesSpec {
  /** Unique within the chart; ties a legend entry to its line (and its faint raw line). */
  key: string;
  label: string;
  points: Point[];
  /** Index into the theme palette: one colour per task (per pair, per loss term). */
  color: number;
  /** Index into the dash patterns: one per compared run (or the B side of the angles). */
  dash: number;
  /** L_SPR has its own right-hand axis. */
  rightAxis?: boolean;
}

export interface LineContent {
  kind: 'line';
  series: SeriesSpec[];
  xTitle: string;
  /** Fixed x range (the run's steps, the layers), so a few early points do not make a −1…1 axis. */
  xMin?: number;
  xMax?: number;
  yTitle: string;
  empty?: string;
}

export interface BarContent {
  kind: 'bar';
  bars?: AllocationBars;
  empty?: string;
}

export interface HeatmapContent {
  kind: 'heatmap';
  grid?: AllocationGrid;
  empty?: string;
}

export type ChartContent = LineContent | BarContent | HeatmapContent;

function methodOf(view: RunView): string {
  const method = view.start?.method;
  if (!method) return 'This run';
  return isMethodName(method) ? methodSpec(method).title : method;
}

/** Why a run has no task blocks to allocate or to measure angles between, or undefined when it has. */
function noTaskBlocks(view: RunView, what: string): string | undefined {
  if (view.start && isMethodName(view.start.method) && !hasTaskBlocks(view.start.method)) return `${methodOf(view)} has no task blocks, so there is no ${what}: it is ThanoRA's. Compare a ThanoRA run of the same experiment to see it.`;
  if (view.start && taskNames(view).length < 2 && what !== 'rank allocation') return `One task: there are no task pairs to measure ${what} between.`;
  return undefined;
}

function perRun(runs: readonly ComparedRun[], seriesOf: (view: RunView) => NamedSeries[], color: (i: number, r: number) => number, options: { rightAxis?: (name: string) => boolean } = {}): SeriesSpec[] {
  return runs.flatMap((run, r) =>
    seriesOf(run.view).map((s, i) => ({
      key: `${r}:${s.name}`,
      label: runs.length > 1 ? `${run.label}: ${s.name}` : s.name,
      points: s.points,
      color: color(i, r),
      dash: r,
      ...(options.rightAxis?.(s.name) ? { rightAxis: true } : {}),
    })),
  );
}

/**
 * Steps 0 to the furthest step reached (by any shown run, or any point of the chart): the step charts line up,
 * an eval at step 0 is not an axis of −1…1, and 25 steps of a 2400-step run are not squeezed into a corner.
 */
function stepRange(runs: readonly ComparedRun[], series: readonly SeriesSpec[]): { xMin: number; xMax: number } {
  const reached = runs.map((r) => r.view.end?.step ?? r.view.steps[r.view.steps.length - 1]?.step ?? 0);
  const plotted = series.map((s) => s.points[s.points.length - 1]?.x ?? 0);
  return { xMin: 0, xMax: Math.max(1, ...reached, ...plotted) };
}

function stepChart(runs: readonly ComparedRun[], yTitle: string, series: SeriesSpec[], waiting: string): LineContent {
  const empty = series.some((s) => s.points.length > 0) ? undefined : waiting;
  return { kind: 'line', series, xTitle: 'step', ...stepRange(runs, series), yTitle, empty };
}

/** The step charts' x axis: steps, or wall time in minutes since each run started. */
export type XAxis = 'step' | 'time';

/** A step chart redrawn against wall time: each series' run (the key's prefix) maps its steps to minutes. */
function againstTime(content: LineContent, runs: readonly ComparedRun[]): LineContent {
  if (content.xTitle !== 'step') return content;
  const clocks = runs.map((run) => minutesAtStep(run.view));
  const series = content.series.map((s) => {
    const clock = clocks[Number(s.key.split(':')[0])] ?? clocks[0];
    return { ...s, points: s.points.flatMap((p) => { const x = clock?.(p.x); return x === undefined ? [] : [{ x, y: p.y }]; }) };
  });
  const xMax = Math.max(1 / 60, ...series.map((s) => s.points[s.points.length - 1]?.x ?? 0));
  return { ...content, series, xTitle: 'minutes', xMin: 0, xMax };
}

/** `waiting`: what the main run is doing while it has no steps yet (its phase), for the step charts' empty state. */
export function chartContent(runs: readonly ComparedRun[], waiting = 'No steps recorded yet.', xAxis: XAxis = 'step'): Record<ChartId, ChartContent> {
  const content = stepContent(runs, waiting);
  if (xAxis === 'step') return content;
  const timed = { ...content };
  for (const id of Object.keys(timed) as ChartId[]) {
    const c = timed[id];
    if (c.kind === 'line') (timed as Record<ChartId, ChartContent>)[id] = againstTime(c, runs);
  }
  return timed;
}

function stepContent(runs: readonly ComparedRun[], waiting: string): Record<ChartId, ChartContent> {
  const main = runs[0]?.view;
  if (!main) {
    const none = 'No run selected.';
    const line: LineContent = { kind: 'line', series: [], xTitle: 'step', yTitle: '', empty: none };
    return { allocation: { kind: 'bar', empty: none }, allocationHeatmap: { kind: 'heatmap', empty: none }, loss: line, taskLoss: line, anglesSteps: line, anglesLayers: line, eval: line, throughput: line };
  }
  // Without SPR the total is the task loss: one line, not two on top of each other.
  const lossTerms = (v: RunView): NamedSeries[] => {
    const l = lossSeries(v);
    return l.spr.length ? [{ name: 'total', points: l.total }, { name: 'task', points: l.task }, { name: 'L_SPR', points: l.spr }] : [{ name: 'total', points: l.total }];
  };
  const byTask = (i: number) => i;
  const angleBlocks = noTaskBlocks(main, 'subspace angles');
  const noAnglesYet = 'No angles recorded yet: they are measured at step 0 and about every twentieth of the run.';
  const perLayer = anglesPerLayer(main);
  const pairs = perLayer ? [...new Set(perLayer.series.map((s) => s.name.replace(/ \((A|B)\)$/, '')))] : [];
  const bars = allocationBars(main);
  const evals = perRun(runs, evalAccuracySeries, byTask);
  const noAllocation = noTaskBlocks(main, 'rank allocation') ?? (bars ? undefined : 'No allocation yet: HASI allocates the ranks after the preview, before the first step.');
  return {
    allocation: { kind: 'bar', bars, empty: noAllocation },
    allocationHeatmap: { kind: 'heatmap', grid: allocationGrid(main), empty: noAllocation },
    loss: stepChart(runs, 'loss', perRun(runs, lossTerms, byTask, { rightAxis: (name) => name === 'L_SPR' }), waiting),
    taskLoss: stepChart(runs, 'loss per task', perRun(runs, perTaskLossSeries, byTask), waiting),
    anglesSteps: {
      ...stepChart(runs.slice(0, 1), 'mean principal angle (°)', perRun(runs.slice(0, 1), angleOverStepsSeries, byTask), noAnglesYet),
      ...(angleBlocks ? { empty: angleBlocks } : {}),
    },
    anglesLayers: {
      kind: 'line',
      series: (perLayer?.series ?? []).map((s) => {
        const side = / \(B\)$/.test(s.name) ? 1 : 0;
        return { key: s.name, label: s.name, points: s.points, color: pairs.indexOf(s.name.replace(/ \((A|B)\)$/, '')), dash: side };
      }),
      xTitle: 'layer',
      ...(perLayer && perLayer.layers.length ? { xMin: Math.min(...perLayer.layers), xMax: Math.max(...perLayer.layers) } : {}),
      yTitle: perLayer ? `angle at step ${perLayer.step} (°)` : 'angle (°)',
      empty: angleBlocks ?? (perLayer ? undefined : noAnglesYet),
    },
    eval: { ...stepChart(runs, 'eval accuracy', evals, 'No eval yet: tasks are evaluated at step 0, every training.evalEvery steps and at the end.') },
    throughput: stepChart(runs, 'tokens/s', runs.map((run, r) => ({ key: `${r}:tokens/s`, label: runs.length > 1 ? `${run.label}: tokens/s` : 'tokens/s', points: throughputSeries(run.view), color: r, dash: r })), waiting),
  };
}
