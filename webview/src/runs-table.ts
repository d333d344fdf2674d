// The editor dashboard's runs table in the DOM (the model: runs-table-model.ts). Ticking a row overlays the run
// on the charts; clicking its name selects it.
import type { RunSummary } from '../../src/protocol/webview-messages';
import { runsTableModel } from './runs-table-model';

export interface RunsTableHandlers {
  /** Overlay the run on the charts (or stop); the selected run is always shown. */
  onOverlay(runDir: string, overlaid: boolean): void;
  onSelect(runDir: string): void;
}

export function renderRunsTable(container: HTMLElement, runs: readonly RunSummary[], selected: string | undefined, overlaid: readonly string[], handlers: RunsTableHandlers): void {
  const model = runsTableModel(runs);
  const cell = (tag: 'th' | 'td', text: string, title?: string) => {
    const c = document.createElement(tag);
    c.textContent = text;
    if (title) c.title = title;
    return c;
  };
  const head = document.createElement('tr');
  head.append(cell('th', 'Show'), cell('th', 'Run'), cell('th', 'Method'), ...model.diffKeys.map((k) => cell('th', k, `Setting that differs between these runs: ${k}`)), cell('th', 'Status'), cell('th', 'Steps'));
  for (const task of model.tasks) head.append(cell('th', `${task} final (Δ base)`, `Eval accuracy of ${task} at the end, in points against the base model (step 0)`), cell('th', `${task} best`));
  const body = model.rows.map(({ run, settings, accuracy }) => {
    const row = document.createElement('tr');
    row.dataset.runDir = run.runDir;
    const isSelected = run.runDir === selected;
    row.classList.toggle('selected', isSelected);
    const box = document.createElement('input');
    box.type = 'checkbox';
    box.checked = isSelected || overlaid.includes(run.runDir);
    box.disabled = isSelected;
    box.setAttribute('aria-label', `Show ${run.runId} on the charts`);
    box.addEventListener('change', () => handlers.onOverlay(run.runDir, box.checked));
    const show = cell('td', '');
    show.append(box);
    const name = cell('td', run.runId, run.runDir);
    name.classList.add('run-name');
    name.addEventListener('click', () => handlers.onSelect(run.runDir));
    row.append(show, name, cell('td', run.label), ...settings.map((s) => cell('td', s)), cell('td', run.state), cell('td', `${run.step}/${run.totalSteps}`));
    for (const a of accuracy) row.append(cell('td', a.final, a.title), cell('td', a.best, a.title));
    return row;
  });
  const table = document.createElement('table');
  table.className = 'runs-table';
  const thead = document.createElement('thead');
  thead.append(head);
  const tbody = document.createElement('tbody');
  tbody.append(...body);
  table.append(thead, tbody);
  container.replaceChildren(table);
}
