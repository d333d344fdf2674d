// Turns a run's events into chart series. Pure (no DOM, no Chart.js) so it is unit-tested under mocha and
// shared by every chart; points are {x: step, y} sorted by step, as pixel-buckets.ts and Chart.js's normalized data require.
import type { AllocationEvent, AnglesEvent, EndEvent, EvalEvent, PairAngles, PhaseEvent, RunEvent, RunStartEvent, StepEvent } from '../../src/protocol/run-events';
import { describePhase } from '../../src/protocol/run-phases';

export interface Point {
  x: number;
  y: number;
}

export interface NamedSeries {
  name: string;
  points: Point[];
}

export interface RunView {
  start?: RunStartEvent;
  steps: StepEvent[];
  allocation?: AllocationEvent;
  angles: AnglesEvent[];
  evals: EvalEvent[];
  end?: Extract<RunEvent, { type: 'end' }>;
  /** What the run is preparing, while it has taken no step since (its session's) start. */
  phase?: PhaseEvent;
}

/** Groups events by kind; a resumed run repeats steps after its checkpoint, and the later record wins. */
export function viewRun(events: readonly RunEvent[]): RunView {
  const view: RunView = { steps: [], angles: [], evals: [] };
  const stepsByNumber = new Map<number, StepEvent>();
  for (const e of events) {
    if (e.type === 'phase') {
      // A resumed session prepares again: the end of the one before no longer describes the run.
      view.phase = e;
      view.end = undefined;
    } else if (e.type === 'start') {
      view.start = e;
      view.end = undefined;
    } else if (e.type === 'allocation') view.allocation = e;
    else if (e.type === 'step') {
      stepsByNumber.set(e.step, e);
      view.phase = undefined;
    } else accumulate(view, e);
  }
  view.steps = [...stepsByNumber.values()].sort((a, b) => a.step - b.step);
  return view;
}

/** The events a view only collects: angles, evals and the end (which ends any phase). */
function accumulate(view: RunView, e: RunEvent): void {
  if (e.type === 'angles') view.angles.push(e);
  else if (e.type === 'eval') view.evals.push(e);
  else if (e.type === 'end') {
    view.end = e;
    view.phase = undefined;
  }
}

/**
 * A live run's appended events, applied to its view in place when they only add to it (steps after the last
 * one, angles, evals, the end), so a redraw of a 100,000-step run costs the new events, not the run: the step
 * series below extend their cached points. Anything else (a phase or start of a resumed session, a step again,
 * the allocation) rebuilds the view from `all`, the run's events including these.
 */
export function extendView(view: RunView, added: readonly RunEvent[], all: readonly RunEvent[]): RunView {
  let last = view.steps[view.steps.length - 1]?.step ?? -Infinity;
  const inPlace = added.every((e) => {
    if (e.type !== 'step') return e.type === 'angles' || e.type === 'eval' || e.type === 'end' || e.type === 'checkpoint' || e.type === 'warning';
    if (e.step <= last) return false;
    last = e.step;
    return true;
  });
  if (!inPlace) return viewRun(all);
  for (const e of added) {
    if (e.type === 'step') {
      view.steps.push(e);
      view.phase = undefined;
    } else accumulate(view, e);
  }
  return view;
}

/** Points of the steps' series, per steps array (a view's, which extendView only appends to) and series key. */
const stepSeriesCache = new WeakMap<StepEvent[], Map<string, { points: Point[]; upTo: number }>>();

/** {x: step, y: pick(step)} for every step with a value, extended from the steps added since the last call. */
function stepPoints(view: RunView, key: string, pick: (s: StepEvent) => number | null | undefined): Point[] {
  let byKey = stepSeriesCache.get(view.steps);
  if (!byKey) stepSeriesCache.set(view.steps, (byKey = new Map()));
  let cache = byKey.get(key);
  if (!cache) byKey.set(key, (cache = { points: [], upTo: 0 }));
  for (; cache.upTo < view.steps.length; cache.upTo++) {
    const s = view.steps[cache.upTo];
    const y = pick(s);
    if (y !== null && y !== undefined) cache.points.push({ x: s.step, y });
  }
  return cache.points;
}

export function taskNames(view: RunView): string[] {
  return view.start?.tasks ?? [];
}

export function lossSeries(view: RunView): { total: Point[]; task: Point[]; spr: Point[] } {
  return {
    total: stepPoints(view, 'loss', (s) => s.loss),
    task: stepPoints(view, 'taskLoss', (s) => s.taskLoss),
    spr: stepPoints(view, 'sprLoss', (s) => s.sprLoss),
  };
}

/** Per-task loss; steps where a task was absent from the batch are skipped (null in the record). */
export function perTaskLossSeries(view: RunView): NamedSeries[] {
  return taskNames(view).map((name, t) => ({ name, points: stepPoints(view, `perTaskLoss:${t}`, (s) => s.perTaskLoss[t]) }));
}

export function pairName(tasks: readonly string[], pair: PairAngles['pair']): string {
  return `${tasks[pair[0]] ?? pair[0]} ↔ ${tasks[pair[1]] ?? pair[1]}`;
}

/** Mean principal angle (A side) of each task pair, averaged over the layers of each angles event. */
export function angleOverStepsSeries(view: RunView): NamedSeries[] {
  const tasks = taskNames(view);
  const byPair = new Map<string, Point[]>();
  for (const event of view.angles) {
    const sums = new Map<string, { sum: number; count: number }>();
    for (const layer of event.layers) {
      for (const p of layer.pairs) {
        const name = pairName(tasks, p.pair);
        const acc = sums.get(name) ?? { sum: 0, count: 0 };
        acc.sum += p.meanA;
        acc.count += 1;
        sums.set(name, acc);
      }
    }
    for (const [name, { sum, count }] of sums) {
      if (!byPair.has(name)) byPair.set(name, []);
      byPair.get(name)!.push({ x: event.step, y: sum / count });
    }
  }
  return [...byPair].map(([name, points]) => ({ name, points }));
}

/** Latest angles per layer: for each pair, mean angle on the A side and on the B side, indexed by layer. */
export function anglesPerLayer(view: RunView): { layers: number[]; series: NamedSeries[]; step: number } | undefined {
  const last = view.angles[view.angles.length - 1];
  if (!last) return undefined;
  const tasks = taskNames(view);
  const layers = last.layers.map((l) => l.layer);
  const series = new Map<string, Point[]>();
  for (const layer of last.layers) {
    for (const p of layer.pairs) {
      for (const [side, value] of [['A', p.meanA], ['B', p.meanB]] as const) {
        const name = `${pairName(tasks, p.pair)} (${side})`;
        if (!series.has(name)) series.set(name, []);
        series.get(name)!.push({ x: layer.layer, y: value });
      }
    }
  }
  return { layers, step: last.step, series: [...series].map(([name, points]) => ({ name, points })) };
}

export function evalAccuracySeries(view: RunView): NamedSeries[] {
  const byTask = new Map<string, Point[]>();
  for (const e of view.evals) {
    for (const t of e.tasks) {
      if (!byTask.has(t.task)) byTask.set(t.task, []);
      byTask.get(t.task)!.push({ x: e.step, y: t.accuracy });
    }
  }
  return [...byTask].map(([name, points]) => ({ name, points }));
}

export function throughputSeries(view: RunView): Point[] {
  return stepPoints(view, 'tokensPerSecond', (s) => s.tokensPerSecond);
}

export interface Progress {
  step: number;
  totalSteps: number;
  tokensPerSecond: number | null;
  /** Seconds left at the mean step time of the last 20 steps. */
  etaSeconds: number | null;
  state: 'running' | EndEvent['state'];
  error?: string;
}

export function progressOf(view: RunView): Progress {
  const last = view.steps[view.steps.length - 1];
  const recent = view.steps.slice(-20);
  const meanMs = recent.length ? recent.reduce((a, s) => a + s.stepMs, 0) / recent.length : null;
  const totalSteps = view.start?.totalSteps ?? 0;
  const step = view.end?.step ?? last?.step ?? view.start?.fromStep ?? 0;
  return {
    step,
    totalSteps,
    tokensPerSecond: last?.tokensPerSecond ?? null,
    etaSeconds: !view.end && meanMs !== null ? ((totalSteps - step) * meanMs) / 1000 : null,
    state: view.end?.state ?? 'running',
    error: view.end?.error,
  };
}

export interface ProgressText {
  text: string;
  /** The progress bar: steps, or the parts of the phase while preparing. */
  value: number;
  max: number;
  /** While the run has no steps: what it is doing, for the empty charts. */
  waiting?: string;
}

/** The dashboard's progress line. `status`: the run's state as listed by the host (status.json). */
export function describeProgress(view: RunView, status?: string): ProgressText {
  const p = progressOf(view);
  const state = status && status !== 'unknown' && status !== 'running' ? status : p.state;
  const steps = `step ${p.step}/${p.totalSteps}`;
  if (state !== 'running') return { text: `${state}: ${steps}`, value: p.step, max: p.totalSteps };
  if (view.phase) {
    const phase = describePhase(view.phase);
    const after = view.start ? ` · ${steps}` : '';
    return { text: `preparing: ${phase}${after}`, value: view.phase.done, max: view.phase.total, waiting: `Preparing the run: ${phase}.` };
  }
  if (view.steps.length === 0) return { text: `starting: ${steps}`, value: 0, max: p.totalSteps, waiting: 'Starting: no steps recorded yet.' };
  const speed = p.tokensPerSecond === null ? '' : ` · ${Math.round(p.tokensPerSecond)} tokens/s`;
  return { text: `running: ${steps}${speed}${formatEta(p.etaSeconds)}`, value: p.step, max: p.totalSteps };
}

function formatEta(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '';
  return seconds > 90 ? ` · ${Math.round(seconds / 60)} min left` : ` · ${Math.round(seconds)} s left`;
}

/**
 * Wall time of each step, in minutes since the run's first step began (a step's time is when it ended, so the
 * clock starts stepMs earlier); step 0 (the evaluation before training) is at 0. Evals and angles have no time
 * of their own and take their step's. A resumed run's pause counts, as in TensorBoard's relative time.
 */
export function minutesAtStep(view: RunView): (step: number) => number | undefined {
  const first = view.steps[0];
  const begin = first ? Date.parse(first.time) - first.stepMs : NaN;
  const at = new Map<number, number>(view.steps.map((s) => [s.step, Date.parse(s.time)]));
  return (step) => {
    const t = step === 0 ? begin : at.get(step);
    return t === undefined || !Number.isFinite(t) || !Number.isFinite(begin) ? undefined : (t - begin) / 60000;
  };
}
