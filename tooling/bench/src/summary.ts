import type { Cell, GemmBenchReport } from './gemm-bench.js';
import type { LayerBenchReport } from './layer-bench.js';
import type { MemoryReport } from './memory-bench.js';
import { formatMachine, memoryRatio, memoryText } from './report.js';
import type { StepBenchReport, StepCell } from './step-bench.js';
import { formatTable } from './table.js';
import type { TargetResult } from './targets.js';
import { flops } from './workloads.js';

/** The widest line of the summary: a terminal of 100 columns shows it without wrapping. */
export const SUMMARY_COLUMNS = 100;

/** The parts of the harness's report the summary reads (the suites that did not run are absent). */
export interface SummaryInput {
  machine: Parameters<typeof formatMachine>[0];
  gemm?: GemmBenchReport | undefined;
  layers?: LayerBenchReport | undefined;
  steps?: StepBenchReport | undefined;
  memory?: MemoryReport | undefined;
  targets: readonly TargetResult[];
}

function ms(value: number): string {
  return value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2);
}

function cellMs(cell: Cell | undefined): string {
  if (cell === undefined) return '-';
  return 'ms' in cell ? ms(cell.ms) : 'n/a';
}

function stepMs(cell: StepCell | undefined): string {
  if (cell === undefined) return '-';
  return 'medianMs' in cell ? ms(cell.medianMs) : 'n/a';
}

/** Our fastest one-thread wasm column: relaxed SIMD where it ran, plain SIMD otherwise. */
function oneThread(cells: Readonly<Record<string, object>>): 'wasm relaxed' | 'wasm simd' {
  const relaxed = cells['wasm relaxed'];
  return relaxed !== undefined && !('skipped' in relaxed) ? 'wasm relaxed' : 'wasm simd';
}

/** What the short column names stand for. */
function legend(one: string): string {
  return `(wasm 1T: ${one}, one thread; threads: the wasm backend on every core)`;
}

/** Words of `text` on lines of at most `width` columns, continuation lines indented by two. */
export function wrapText(text: string, width = SUMMARY_COLUMNS): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    const next = line === '' ? word : `${line} ${word}`;
    if (line !== '' && [...next].length > width) {
      lines.push(line);
      line = `  ${word}`;
    } else line = next;
  }
  lines.push(line);
  return lines;
}

function gemmSummary(report: GemmBenchReport): string[] {
  const one = oneThread(report.rows[0]?.cells ?? {});
  const rows = report.rows.map(({ workload, cells }) => {
    const threads = cells['wasm threads'];
    return [
      workload.name,
      cellMs(cells['js packed']),
      cellMs(cells[one]),
      cellMs(threads),
      'ms' in threads ? (flops(workload) / threads.ms / 1e6).toFixed(1) : 'n/a',
      cellMs(cells['tfjs wasm']),
      cellMs(cells['numpy 1T']),
    ];
  });
  const header = ['GEMM, ms per call', 'js', 'wasm 1T', 'threads', 'GFLOP/s', 'tfjs wasm', 'numpy 1T'];
  return ['', formatTable(header, rows), legend(one)];
}

function layerSummary(report: LayerBenchReport): string[] {
  const one = oneThread(report.rows[0]?.cells ?? {});
  const rows = report.rows.map(({ workload, pass, cells }) => [
    `${workload.name} ${pass}`,
    cellMs(cells.js),
    cellMs(cells[one]),
    cellMs(cells['wasm threads']),
    cellMs(cells['numpy 1T']),
  ]);
  return ['', formatTable(['layer, ms per call', 'js', 'wasm 1T', 'threads', 'numpy 1T'], rows), legend(one)];
}

function stepSummary(report: StepBenchReport): string[] {
  const one = oneThread(report.rows[0]?.cells ?? {});
  const rows = report.rows.map(({ workload, cells }) => [
    workload.name,
    stepMs(cells.js),
    stepMs(cells[one]),
    stepMs(cells['wasm threads']),
    stepMs(cells['numpy 1T']),
    stepMs(cells['numpy MT']),
  ]);
  const header = ['training step of 100, median ms', 'js', 'wasm 1T', 'threads', 'numpy 1T', 'numpy MT'];
  return ['', formatTable(header, rows), legend(one)];
}

function memorySummary(report: MemoryReport): string[] {
  const rows = report.rows.map(({ name, cells }) => [
    name,
    memoryText(cells['wasm 1T']),
    memoryText(cells['wasm threads']),
    memoryText(cells['numpy 1T']),
    memoryRatio(cells['wasm 1T'], cells['numpy 1T']),
  ]);
  const header = [`peak RSS MiB, ${report.steps} steps`, 'wasm 1T', 'threads', 'numpy 1T', 'ratio 1T'];
  return [
    '',
    formatTable(header, rows),
    '(in parentheses: the process before the library and the data loaded)',
  ];
}

function targetSummary(targets: readonly TargetResult[]): string[] {
  const lines = ['', 'targets (ratio of ours to the reference; --full has the tables they come from)'];
  let last = '';
  for (const t of targets) {
    if (t.target !== last) lines.push(`  ${t.target}`);
    last = t.target;
    const compared = t.compared.replace(/ \(.*\)$/, '');
    const ratio = t.ratio === undefined ? 'n/a' : t.ratio.toFixed(3);
    const bound = `${t.kind === 'atMost' ? '<=' : '>='} ${t.bound.toFixed(3)}`;
    lines.push(`    ${compared.padEnd(42)} ${ratio.padStart(7)} ${bound.padStart(8)}  ${t.verdict}`);
  }
  return lines;
}

/**
 * The report in at most `SUMMARY_COLUMNS` columns: ms per call of our main columns beside the
 * references, and each target's verdict. The full tables (every engine, GFLOP/s, relative speeds)
 * are `--full`'s, or the JSON's.
 */
export function formatSummary(report: SummaryInput): string {
  const lines = formatMachine(report.machine).split('\n');
  if (report.gemm) lines.push(...gemmSummary(report.gemm));
  if (report.layers) lines.push(...layerSummary(report.layers));
  if (report.steps) lines.push(...stepSummary(report.steps));
  if (report.memory) lines.push(...memorySummary(report.memory));
  if (report.targets.length > 0) lines.push(...targetSummary(report.targets));
  return lines
    .join('\n')
    .split('\n')
    .flatMap((line) => ([...line].length > SUMMARY_COLUMNS ? wrapText(line) : [line]))
    .join('\n');
}
