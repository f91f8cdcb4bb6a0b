import { ENGINES, type Cell, type Engine, type GemmBenchReport } from './gemm-bench.js';
import type { MachineInfo } from './machine.js';
import { formatTable } from './table.js';
import { flops, shapeLabel } from './workloads.js';

function cellText(cell: Cell, show: (ms: number) => string): string {
  return 'ms' in cell ? show(cell.ms) : cell.skipped;
}

function ms(value: number): string {
  return value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(3);
}

/** The report as text: machine, then ms per call, GFLOP/s, and speed relative to NumPy on one thread. */
export function formatReport(report: GemmBenchReport, machine: MachineInfo): string {
  const lines: string[] = [];
  lines.push(
    `machine: ${machine.cpu}, ${machine.cores} cores, load ${machine.load.toFixed(2)}; ` +
      `node ${machine.node} (V8 ${machine.v8})`,
  );
  if (machine.load > machine.cores) {
    lines.push(
      `NOTE: load ${machine.load.toFixed(1)} > ${machine.cores} cores: other processes share the CPU, figures are low`,
    );
  }
  lines.push(`wasm: ${report.wasm.simd}; relaxed: ${report.wasm.relaxed}`);
  lines.push(`numpy 1T: ${report.numpy.single}`);
  lines.push(`numpy MT: ${report.numpy.multi}`);
  lines.push(`mode: ${report.mode}; float32, c = op(a)·op(b), beta 0; fastest batch mean of each`);

  const header = ['workload', 'm×k·k×n', ...ENGINES];
  const table = (title: string, show: (ms: number, flop: number, numpy: Cell) => string): void => {
    const rows = report.rows.map(({ workload, cells }) => [
      workload.name,
      shapeLabel(workload),
      ...ENGINES.map((e: Engine) => cellText(cells[e], (t) => show(t, flops(workload), cells['numpy 1T']))),
    ]);
    lines.push('', title, formatTable(header, rows));
  };
  table('ms per call', (t) => ms(t));
  table('GFLOP/s', (t, flop) => (flop / t / 1e6).toFixed(1));
  table('speed relative to NumPy on one thread (higher is faster)', (t, _flop, numpy) =>
    'ms' in numpy ? `${(numpy.ms / t).toFixed(2)}×` : 'n/a',
  );
  for (const { workload, wasmError } of report.rows) {
    if (wasmError !== undefined && wasmError > 1e-4) {
      lines.push(
        `WARNING: ${workload.name}: wasm differs from js by ${wasmError.toExponential(1)} (relative)`,
      );
    }
  }
  return lines.join('\n');
}
