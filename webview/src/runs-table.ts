// The editor dashboard's runs table in the DOM (the model: runs-table-model.ts). Ticking a row overlays the run
// on the charts; clicking its name selects it.
import type { RunSummary } from '../../src/protocol/webview-messages';
import { buildTable, tableCell } from './dom-table';
import { runsTableModel } from './runs-table-model';

export interface RunsTableHandlers {
  /** Overlay the run on the charts (or stop); the selected run is always shown. */
  onOverlay(runDir: string, overlaid: boolean): void;
  onSelect(runDir: string): void;
}

export function renderRunsTable(container: HTMLElement, runs: readonly RunSummary[], selected: string | undefined, overlaid: readonly string[], handlers: RunsTableHandlers): void {
  const model = runsTableModel(runs);
  const head = document.createElement('tr');
  head.append(tableCell('th', 'Show'), tableCell('th', 'Run'), tableCell('th', 'Method'), ...model.diffKeys.map((k) => tableCell('th', k, `Setting that differs between these runs: ${k}`)), tableCell('th', 'Status'), tableCell('th', 'Steps'));
  for (const task of model.tasks) head.append(tableCell('th', `${task} final (Δ base)`, `Eval accuracy of ${task} at the end, in points against the base model (step 0)`), tableCell('th', `${task} best`));
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
    const show = tableCell('td', '');
    show.append(box);
    const name = tableCell('td', run.runId, run.runDir);
    name.classList.add('run-name');
    name.addEventListener('click', () => handlers.onSelect(run.runDir));
    row.append(show, name, tableCell('td', run.label), ...settings.map((s) => tableCell('td', s)), tableCell('td', run.state), tableCell('td', `${run.step}/${run.totalSteps}`));
    for (const a of accuracy) row.append(tableCell('td', a.final, a.title), tableCell('td', a.best, a.title));
    return row;
  });
  container.replaceChildren(buildTable('runs-table', head, body));
}
