import { GATE_NAMES, truthTable } from './truth-table.js';

// The home page for now: the book's chapter 2 perceptron gates, computed by @dl/layers in the browser.
const table = document.querySelector<HTMLTableElement>('#gates');
if (table) {
  const header = `<tr><th>x1</th><th>x2</th>${GATE_NAMES.map((g) => `<th>${g}</th>`).join('')}</tr>`;
  const columns = GATE_NAMES.map((g) => truthTable(g));
  const rows = columns[0]!.map(
    (row, i) =>
      `<tr><td>${row.x1}</td><td>${row.x2}</td>${columns.map((c) => `<td>${c[i]!.y}</td>`).join('')}</tr>`,
  );
  table.innerHTML = header + rows.join('');
}
