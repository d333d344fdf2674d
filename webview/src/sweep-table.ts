// The editor dashboard's sweep table in the DOM (the model: sweep-table-model.ts), shown when the selected run
// belongs to a sweep: one row per configuration with its runs grouped in it, per task mean ± std over the seeds
// and the paired difference to the baseline. Clicking a run selects it.
import type { SweepSummary } from '../../src/protocol/sweep-results';
import { buildTable, tableCell } from './dom-table';
import { sweepTableModel } from './sweep-table-model';

export function renderSweepTable(container: HTMLElement, sweep: SweepSummary, selected: string | undefined, onSelect: (runDir: string) => void): void {
  const heading = document.createElement('h3');
  heading.textContent = `Results of ${sweep.name}`;
  heading.title = sweep.sweepDir;
  if (!sweep.results) {
    const error = document.createElement('p');
    error.className = 'error';
    error.textContent = sweep.error ?? '';
    container.replaceChildren(heading, error);
    return;
  }
  const model = sweepTableModel(sweep);
  const note = document.createElement('p');
  note.className = 'sweep-note';
  note.textContent = model.note;
  const head = document.createElement('tr');
  head.append(...model.head.map((h) => tableCell('th', h.text, h.title)));
  const body = model.rows.map((r) => {
    const row = document.createElement('tr');
    row.classList.toggle('baseline', r.isBaseline);
    const values = r.values.map((v, i) => tableCell('td', i === 0 && r.isBaseline ? `${v} (baseline)` : v));
    const runs = tableCell('td', '');
    runs.className = 'sweep-runs';
    for (const { point, text } of r.runs) {
      const link = document.createElement(point.runDir ? 'button' : 'span');
      link.textContent = text;
      link.className = 'sweep-run';
      if (point.runDir) {
        const runDir = point.runDir;
        link.title = runDir;
        link.dataset.runDir = runDir;
        link.classList.toggle('selected', runDir === selected);
        link.addEventListener('click', () => onSelect(runDir));
      }
      runs.append(link);
    }
    row.append(...values, runs, ...r.cells.map((c) => tableCell('td', c.text, c.title)));
    return row;
  });
  container.replaceChildren(heading, note, buildTable('sweep-table', head, body));
}
