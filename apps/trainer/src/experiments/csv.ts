import { writeFileAtomicSync } from '@dl/layers/node';

export type Cell = number | string | boolean | null;

function cell(v: Cell): string {
  if (v === null) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : String(v);
  const s = String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Writes a CSV file (RFC 4180 quoting; numbers in full precision; empty cells for null). */
export function writeCsv(
  path: string,
  header: readonly string[],
  rows: readonly (readonly Cell[])[],
): string {
  const lines = [header.map(cell).join(','), ...rows.map((r) => r.map(cell).join(','))];
  writeFileAtomicSync(path, `${lines.join('\n')}\n`);
  return path;
}
