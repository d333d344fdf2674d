// Dashboard entry: registers the vscode-elements used, posts `ready`, then renders what the host sends.
// The host is the only source of data (it reads the run folders); the webview keeps the selection and the
// chart settings in getState/setState so hiding and showing the view restores them.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-progress-bar/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import { chartElementIds, chartIds, type ChartId } from '../../src/protocol/dashboard-charts';
import type { RunEvent } from '../../src/protocol/run-events';
import type { SweepSummary } from '../../src/protocol/sweep-results';
import type { HostStateMessage, HostToWebviewMessage, RunSummary } from '../../src/protocol/webview-messages';
import { DashboardCharts, type ChartElements } from './dashboard-charts';
import { describeProgress, extendView, progressOf, viewRun, type RunView } from './run-series';
import { Playground } from './playground';
import { renderRunsTable } from './runs-table';
import { renderSweepTable } from './sweep-table';
import { onThemeChange, readThemeColors } from './theme-colors';
import { loadState, post, saveState, type DashboardState } from './vscode-api';

const element = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;

const state: DashboardState = loadState();
const eventsByRun = new Map<string, RunEvent[]>();
let runs: RunSummary[] = [];
let sweeps: SweepSummary[] = [];
/** Until the host's first run list, "no runs" is not known yet. */
let runsListed = false;
let host: HostStateMessage = { type: 'hostState', training: false, trusted: true };

const chartElements = Object.fromEntries(
  chartIds.map((id) => {
    const ids = chartElementIds(id);
    return [id, { canvas: element<HTMLCanvasElement>(ids.canvas), legend: element(ids.legend), empty: element(ids.empty) }];
  }),
) as Record<ChartId, ChartElements>;
const charts = new DashboardCharts(chartElements, readThemeColors(), (range) => {
  element('reset-zoom').hidden = !range;
});
/** The wide dashboard in an editor tab (src/views/dashboard-html.ts): the runs table replaces the compare list. */
const editorLayout = document.body.classList.contains('layout-editor');
/** Only the wide dashboard has the playground. */
const playground = editorLayout ? new Playground() : undefined;

/** Each shown run's view: built from its events, then extended in place as live events arrive (extendView). */
const views = new Map<string, RunView>();
function viewOf(runDir: string): RunView {
  let view = views.get(runDir);
  if (!view) views.set(runDir, (view = viewRun(eventsByRun.get(runDir) ?? [])));
  return view;
}

function selectedRun(): RunSummary | undefined {
  return runs.find((r) => r.runDir === state.runDir);
}

function requestRuns(): void {
  saveState(state);
  if (state.runDir) post({ type: 'showRuns', runDir: state.runDir, compareWith: state.compareWith });
}

/** The run list's entry: the host's summary, with the step and end of the events already here (they are newer). */
function liveSummary(run: RunSummary): RunSummary {
  if (!eventsByRun.has(run.runDir) || run.state !== 'running') return run;
  const p = progressOf(viewOf(run.runDir));
  return { ...run, step: Math.max(run.step, p.step), state: p.state };
}

/** "running 1595/2400", "finished", "stopped at 800/2400". */
function runStatusText(run: RunSummary): string {
  const steps = `${run.step}/${run.totalSteps}`;
  if (run.state === 'running') return `running ${steps}`;
  if (run.state === 'finished') return 'finished';
  return `${run.state} at ${steps}`;
}

/**
 * A run's short name for the narrow picker: "thanora 12-03 08:09" for "thanora-20261203-080958" (label and
 * start time, which the run id is made of); other ids as they are; the name given in the runs table first.
 */
function shortRunName(run: RunSummary): string {
  if (run.name) return run.name;
  const match = /^(.*)-\d{4}(\d{2})(\d{2})-(\d{2})(\d{2})\d{2}(-\d+)?$/.exec(run.runId);
  return match ? `${match[1]} ${match[2]}-${match[3]} ${match[4]}:${match[5]}${match[6] ?? ''}` : run.runId;
}

function renderRunPicker(): void {
  const select = element<HTMLElement & { value: string }>('run-select');
  select.replaceChildren(
    ...runs.map((r) => {
      const run = liveSummary(r);
      const option = document.createElement('vscode-option');
      option.setAttribute('value', run.runDir);
      // Short name and state, so the sidebar's default width shows both; the full id is in the description.
      option.textContent = `${shortRunName(run)} · ${runStatusText(run)}`;
      option.setAttribute('description', `${run.runId} — ${run.runDir}`);
      if (run.runDir === state.runDir) option.setAttribute('selected', '');
      return option;
    }),
  );
  select.value = state.runDir ?? '';
  const self = selectedRun();
  select.title = self ? `${self.runId} · ${runStatusText(liveSummary(self))}\n${self.runDir}` : '';
  const siblings = runs.filter((r) => self && r.experimentDir === self.experimentDir && r.runDir !== self.runDir);
  element('compare').replaceChildren(
    ...siblings.map((r) => {
      const box = document.createElement('vscode-checkbox') as HTMLElement & { checked: boolean };
      box.setAttribute('label', `${r.name ?? r.label} (${r.runId})`);
      box.dataset.runDir = r.runDir;
      box.checked = state.compareWith.includes(r.runDir);
      box.addEventListener('change', () => {
        state.compareWith = box.checked ? [...state.compareWith, r.runDir] : state.compareWith.filter((d) => d !== r.runDir);
        requestRuns();
        render();
      });
      return box;
    }),
  );
}

function renderProgress(): string | undefined {
  const main = state.runDir && eventsByRun.has(state.runDir) ? state.runDir : undefined;
  const bar = element<HTMLElement & { value?: number; max: number }>('progress-bar');
  const text = element('progress-text');
  element('run-error').textContent = '';
  if (!main) {
    text.textContent = runs.length ? 'Loading run…' : '';
    bar.hidden = true;
    return undefined;
  }
  const view = viewOf(main);
  const described = describeProgress(view, selectedRun()?.state);
  bar.hidden = false;
  bar.max = Math.max(1, described.max);
  bar.value = described.value;
  text.textContent = described.text;
  element('run-error').textContent = progressOf(view).error ?? '';
  return described.waiting;
}

function renderButtons(): void {
  const set = (id: string, disabled: boolean) => element(id).toggleAttribute('disabled', disabled);
  set('start-button', host.training || !host.trusted);
  set('stop-button', !host.training);
  set('new-experiment-button', !host.trusted);
  const run = selectedRun();
  set('merge-button', !host.trusted || !run || run.state === 'running');
  element('trust-notice').hidden = host.trusted;
}

function renderControls(): void {
  const slider = element<HTMLInputElement>('smoothing');
  slider.value = String(state.smoothing);
  element('smoothing-value').textContent = state.smoothing.toFixed(2);
  (element('log-scale') as HTMLElement & { checked: boolean }).checked = state.logScale;
  (element('wall-time') as HTMLElement & { checked: boolean }).checked = state.xAxis === 'time';
}

function selectRun(runDir: string): void {
  state.runDir = runDir;
  state.compareWith = [];
  requestRuns();
  render();
}

function renderTable(empty: boolean): void {
  const section = element('runs-table-section');
  const sweepSection = element('sweep-section');
  section.hidden = !editorLayout || empty;
  sweepSection.hidden = true;
  if (section.hidden) return;
  const self = selectedRun();
  const experiment = runs.filter((r) => self && r.experimentDir === self.experimentDir).map(liveSummary);
  renderRunsTable(element('runs-table'), experiment, state.runDir, state.compareWith, {
    onOverlay: (runDir, overlaid) => {
      state.compareWith = overlaid ? [...state.compareWith, runDir] : state.compareWith.filter((d) => d !== runDir);
      requestRuns();
      render();
    },
    onSelect: selectRun,
    onNotes: (runDir, name, notes) => post({ type: 'setRunNotes', runDir, name, notes }),
    onDelete: (runDir) => post({ type: 'deleteRun', runDir }),
  });
  // The runs of a sweep live in its folder: when the selected run is one of them, its sweep's results too.
  const sweep = sweeps.find((s) => self && s.sweepDir === self.experimentDir);
  sweepSection.hidden = !sweep;
  if (sweep) renderSweepTable(sweepSection, sweep, state.runDir, selectRun);
}

function render(): void {
  const empty = runsListed && runs.length === 0;
  // No runs: one message that says what to do, not seven empty charts.
  element('empty-state').hidden = !empty;
  element('charts').hidden = empty;
  element('chart-controls').hidden = empty;
  element('run-select').hidden = empty;
  renderRunPicker();
  const waiting = renderProgress();
  renderButtons();
  renderControls();
  renderTable(empty);
  playground?.update(empty ? undefined : state.runDir, host.trusted);
  const shown = [state.runDir, ...state.compareWith].filter((d): d is string => !!d && eventsByRun.has(d));
  if (!empty) {
    charts.render(
      shown.map((runDir) => {
        const run = runs.find((r) => r.runDir === runDir);
        return { label: run?.name ?? run?.label ?? runDir, view: viewOf(runDir) };
      }),
      { smoothing: state.smoothing, logScale: state.logScale, xAxis: state.xAxis },
      waiting,
    );
  }
  document.body.dataset.renderedRuns = String(shown.length);
}

function handle(message: HostToWebviewMessage): void {
  switch (message.type) {
    case 'runs': {
      runs = message.runs;
      sweeps = message.sweeps ?? [];
      runsListed = true;
      const known = new Set(runs.map((r) => r.runDir));
      const wanted = message.select ?? state.runDir;
      const runDir = wanted && known.has(wanted) ? wanted : runs[runs.length - 1]?.runDir;
      // Comparisons belong to the run they were picked for; a newly selected run starts alone.
      state.compareWith = runDir === state.runDir ? state.compareWith.filter((d) => known.has(d) && d !== runDir) : [];
      state.runDir = runDir;
      requestRuns();
      break;
    }
    case 'runData':
      eventsByRun.set(message.runDir, message.events);
      views.delete(message.runDir);
      break;
    case 'runEvents': {
      const events = eventsByRun.get(message.runDir);
      if (!events) {
        eventsByRun.set(message.runDir, [...message.events]);
        break;
      }
      // Appended in place: a copy of 100,000 events per second is what a live redraw must not cost.
      for (const e of message.events) events.push(e);
      const view = views.get(message.runDir);
      if (view) views.set(message.runDir, extendView(view, message.events, events));
      break;
    }
    case 'hostState':
      host = message;
      break;
    case 'playgroundModels':
    case 'generated':
      playground?.handle(message);
      return;
  }
  render();
}

window.addEventListener('message', (e: MessageEvent<HostToWebviewMessage>) => {
  if (typeof e.data?.type === 'string') handle(e.data);
});
element('run-select').addEventListener('change', (e) => selectRun((e.target as HTMLElement & { value: string }).value));
element('smoothing').addEventListener('input', (e) => {
  state.smoothing = Math.min(0.99, Math.max(0, Number((e.target as HTMLInputElement).value)));
  saveState(state);
  render();
});
element('log-scale').addEventListener('change', (e) => {
  state.logScale = (e.target as HTMLElement & { checked: boolean }).checked;
  saveState(state);
  render();
});
element('wall-time').addEventListener('change', (e) => {
  state.xAxis = (e.target as HTMLElement & { checked: boolean }).checked ? 'time' : 'step';
  saveState(state);
  // A zoom is a range of steps or of minutes: it does not carry over to the other axis.
  charts.setZoom(undefined);
  render();
});
element('reset-zoom').addEventListener('click', () => charts.setZoom(undefined));
for (const button of document.querySelectorAll<HTMLButtonElement>('button.chart-export')) {
  button.addEventListener('click', () => {
    const chart = button.dataset.chart as ChartId;
    const format = button.dataset.format === 'png' ? 'png' : 'csv';
    if (!state.runDir) return;
    const data = format === 'png' ? charts.png(chart) : charts.csv(chart);
    if (data) post({ type: 'exportChart', runDir: state.runDir, chart, format, data });
  });
}
element('start-button').addEventListener('click', () => post({ type: 'startTraining' }));
element('stop-button').addEventListener('click', () => post({ type: 'stopTraining' }));
element('new-experiment-button').addEventListener('click', () => post({ type: 'newExperiment' }));
element('merge-button').addEventListener('click', () => state.runDir && post({ type: 'mergeRun', runDir: state.runDir }));
onThemeChange(() => {
  charts.setColors(readThemeColors());
  render();
});
render();
post({ type: 'ready' });
