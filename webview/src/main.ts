// Dashboard entry: registers the vscode-elements used, posts `ready`, then renders what the host sends.
// The host is the only source of data (it reads the run folders); the webview keeps the selection in
// getState/setState so hiding and showing the view restores it.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-progress-bar/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import type { RunEvent } from '../../src/protocol/run-events';
import type { HostStateMessage, HostToWebviewMessage, RunSummary } from '../../src/protocol/webview-messages';
import { chartIds, DashboardCharts, type ChartId } from './dashboard-charts';
import { progressOf, viewRun } from './run-series';
import { onThemeChange, readThemeColors } from './theme-colors';
import { loadState, post, saveState, type DashboardState } from './vscode-api';

const element = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;

const state: DashboardState = loadState();
const eventsByRun = new Map<string, RunEvent[]>();
let runs: RunSummary[] = [];
let host: HostStateMessage = { type: 'hostState', training: false, trusted: true };

const canvases = Object.fromEntries(chartIds.map((id) => [id, element<HTMLCanvasElement>(`chart-${id}`)])) as Record<ChartId, HTMLCanvasElement>;
const charts = new DashboardCharts(canvases, readThemeColors());

function selectedRun(): RunSummary | undefined {
  return runs.find((r) => r.runDir === state.runDir);
}

function requestRuns(): void {
  if (!state.runDir) return;
  saveState(state);
  post({ type: 'showRuns', runDir: state.runDir, compareWith: state.compareWith });
}

function renderRunPicker(): void {
  const select = element<HTMLElement & { value: string }>('run-select');
  select.replaceChildren(
    ...runs.map((r) => {
      const option = document.createElement('vscode-option');
      option.setAttribute('value', r.runDir);
      option.textContent = `${r.label} · ${r.runId} (${r.state}, ${r.step}/${r.totalSteps})`;
      if (r.runDir === state.runDir) option.setAttribute('selected', '');
      return option;
    }),
  );
  select.value = state.runDir ?? '';
  const self = selectedRun();
  const siblings = runs.filter((r) => self && r.experimentDir === self.experimentDir && r.runDir !== self.runDir);
  element('compare').replaceChildren(
    ...siblings.map((r) => {
      const box = document.createElement('vscode-checkbox') as HTMLElement & { checked: boolean };
      box.setAttribute('label', `${r.label} (${r.runId})`);
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

function formatEta(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '';
  return seconds > 90 ? ` · ${Math.round(seconds / 60)} min left` : ` · ${Math.round(seconds)} s left`;
}

function renderProgress(): void {
  const main = state.runDir ? eventsByRun.get(state.runDir) : undefined;
  const bar = element<HTMLElement & { value?: number; max: number }>('progress-bar');
  const text = element('progress-text');
  if (!main) {
    text.textContent = runs.length ? 'Loading run…' : 'No runs yet. Start training to see live metrics.';
    bar.hidden = true;
    return;
  }
  const p = progressOf(viewRun(main));
  const status = selectedRun()?.state;
  const stateText = status && status !== 'unknown' && status !== 'running' ? status : p.state;
  bar.hidden = false;
  bar.max = Math.max(1, p.totalSteps);
  bar.value = p.step;
  const speed = p.tokensPerSecond === null ? '' : ` · ${Math.round(p.tokensPerSecond)} tokens/s`;
  text.textContent = `${stateText}: step ${p.step}/${p.totalSteps}${speed}${stateText === 'running' ? formatEta(p.etaSeconds) : ''}`;
  element('run-error').textContent = p.error ?? '';
}

function renderButtons(): void {
  const set = (id: string, disabled: boolean) => element(id).toggleAttribute('disabled', disabled);
  set('start-button', host.training || !host.trusted);
  set('stop-button', !host.training);
  const run = selectedRun();
  set('merge-button', !host.trusted || !run || run.state === 'running');
  element('trust-notice').hidden = host.trusted;
}

function render(): void {
  renderRunPicker();
  renderProgress();
  renderButtons();
  const shown = [state.runDir, ...state.compareWith].filter((d): d is string => !!d && eventsByRun.has(d));
  charts.render(shown.map((runDir) => ({ label: runs.find((r) => r.runDir === runDir)?.label ?? runDir, view: viewRun(eventsByRun.get(runDir)!) })));
  document.body.dataset.renderedRuns = String(shown.length);
}

function handle(message: HostToWebviewMessage): void {
  switch (message.type) {
    case 'runs': {
      runs = message.runs;
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
      break;
    case 'runEvents':
      eventsByRun.set(message.runDir, [...(eventsByRun.get(message.runDir) ?? []), ...message.events]);
      break;
    case 'hostState':
      host = message;
      break;
  }
  render();
}

window.addEventListener('message', (e: MessageEvent<HostToWebviewMessage>) => {
  if (typeof e.data?.type === 'string') handle(e.data);
});
element('run-select').addEventListener('change', (e) => {
  state.runDir = (e.target as HTMLElement & { value: string }).value;
  state.compareWith = [];
  requestRuns();
  render();
});
element('start-button').addEventListener('click', () => post({ type: 'startTraining' }));
element('stop-button').addEventListener('click', () => post({ type: 'stopTraining' }));
element('merge-button').addEventListener('click', () => state.runDir && post({ type: 'mergeRun', runDir: state.runDir }));
onThemeChange(() => {
  charts.setColors(readThemeColors());
  render();
});
render();
post({ type: 'ready' });
