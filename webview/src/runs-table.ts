// The editor dashboard's runs table in the DOM (the model: runs-table-model.ts). Ticking a row overlays the run
// on the charts; clicking its name selects it; ✎ renames it and the notes field annotates it (both saved in the
// run folder's notes.json by the host); Delete asks the host, which confirms before moving the folder to trash.
import { runNotesLimits } from '../../src/protocol/run-events';
import type { RunSummary } from '../../src/protocol/webview-messages';
import { buildTable, tableCell } from './dom-table';
import { runDisplayName, runsTableModel } from './runs-table-model';

export interface RunsTableHandlers {
  /** Overlay the run on the charts (or stop); the selected run is always shown. */
  onOverlay(runDir: string, overlaid: boolean): void;
  onSelect(runDir: string): void;
  /** The name or the notes were edited (blank clears). */
  onNotes(runDir: string, name: string, notes: string): void;
  onDelete(runDir: string): void;
}

/** The name (click: select the run) and ✎, which swaps it for a text field: Enter or leaving it saves, Escape cancels. */
function nameCell(run: RunSummary, handlers: RunsTableHandlers): HTMLTableCellElement {
  const td = tableCell('td', '');
  const name = document.createElement('button');
  name.type = 'button';
  name.className = 'run-name';
  name.textContent = runDisplayName(run);
  name.title = `${run.runId} — ${run.runDir}`;
  name.addEventListener('click', () => handlers.onSelect(run.runDir));
  const rename = document.createElement('button');
  rename.type = 'button';
  rename.className = 'run-rename';
  rename.textContent = '✎';
  rename.title = `Rename ${run.runId}`;
  rename.setAttribute('aria-label', rename.title);
  rename.addEventListener('click', () => {
    const input = document.createElement('input');
    input.className = 'run-name-input';
    input.maxLength = runNotesLimits.name;
    input.value = run.name ?? '';
    input.placeholder = run.runId;
    input.setAttribute('aria-label', `Name of ${run.runId}`);
    let done = false;
    const finish = (save: boolean) => {
      if (done) return;
      done = true;
      if (save && input.value.trim() !== (run.name ?? '')) handlers.onNotes(run.runDir, input.value.trim(), run.notes ?? '');
      else td.replaceChildren(name, rename);
    };
    input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') finish(true);
      if (e.key === 'Escape') finish(false);
    });
    input.addEventListener('blur', () => finish(true));
    td.replaceChildren(input);
    input.focus();
  });
  td.append(name, rename);
  return td;
}

function notesCell(run: RunSummary, handlers: RunsTableHandlers): HTMLTableCellElement {
  const td = tableCell('td', '');
  const input = document.createElement('input');
  input.className = 'run-notes';
  input.maxLength = runNotesLimits.notes;
  input.value = run.notes ?? '';
  input.placeholder = 'notes';
  input.setAttribute('aria-label', `Notes on ${run.runId}`);
  input.addEventListener('change', () => handlers.onNotes(run.runDir, run.name ?? '', input.value));
  td.append(input);
  return td;
}

function deleteCell(run: RunSummary, handlers: RunsTableHandlers): HTMLTableCellElement {
  const td = tableCell('td', '');
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'run-delete';
  button.textContent = 'Delete';
  button.disabled = run.state === 'running';
  button.title = button.disabled ? 'Stop the run before deleting it' : `Delete ${run.runId} (asks first; the folder goes to the trash)`;
  button.addEventListener('click', () => handlers.onDelete(run.runDir));
  td.append(button);
  return td;
}

export function renderRunsTable(container: HTMLElement, runs: readonly RunSummary[], selected: string | undefined, overlaid: readonly string[], handlers: RunsTableHandlers): void {
  // A field being typed in keeps its text: the run list is re-sent often while a run trains.
  const typing = document.activeElement;
  if (typing instanceof HTMLInputElement && typing.type !== 'checkbox' && container.contains(typing)) return;
  const model = runsTableModel(runs);
  const head = document.createElement('tr');
  head.append(tableCell('th', 'Show'), tableCell('th', 'Run'), tableCell('th', 'Method'), ...model.diffKeys.map((k) => tableCell('th', k, `Setting that differs between these runs: ${k}`)), tableCell('th', 'Status'), tableCell('th', 'Steps'));
  for (const task of model.tasks) head.append(tableCell('th', `${task} final (Δ base)`, `Eval accuracy of ${task} at the end, in points against the base model (step 0)`), tableCell('th', `${task} best`));
  head.append(tableCell('th', 'Notes'), tableCell('th', ''));
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
    row.append(show, nameCell(run, handlers), tableCell('td', run.label), ...settings.map((s) => tableCell('td', s)), tableCell('td', run.state), tableCell('td', `${run.step}/${run.totalSteps}`));
    for (const a of accuracy) row.append(tableCell('td', a.final, a.title), tableCell('td', a.best, a.title));
    row.append(notesCell(run, handlers), deleteCell(run, handlers));
    return row;
  });
  container.replaceChildren(buildTable('runs-table', head, body));
}
