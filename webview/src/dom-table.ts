// The dashboard's HTML tables (the runs table, the sweep table): cells with text and a tooltip, and a table of
// a head row and body rows.

export function tableCell(tag: 'th' | 'td', text: string, title?: string): HTMLTableCellElement {
  const c = document.createElement(tag);
  c.textContent = text;
  if (title) c.title = title;
  return c;
}

export function buildTable(className: string, head: HTMLTableRowElement, rows: readonly HTMLTableRowElement[]): HTMLTableElement {
  const table = document.createElement('table');
  table.className = className;
  const thead = document.createElement('thead');
  thead.append(head);
  const tbody = document.createElement('tbody');
  tbody.append(...rows);
  table.append(thead, tbody);
  return table;
}
