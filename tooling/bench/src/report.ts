import { ENGINES, type Cell, type Engine, type GemmBenchReport } from './gemm-bench.js';
import type { MachineInfo } from './machine.js';
import { formatTable } from './table.js';
import { flops, shapeLabel } from './workloads.js';
import { LAYER_ENGINES, type LayerBenchReport, type LayerCell } from './layer-bench.js';
import { layerFlops, layerLabel } from './layer-workloads.js';
import type { StepBenchRow } from './step-bench.js';

function cellText(cell: Cell, show: (ms: number) => string): string {
  return 'ms' in cell ? show(cell.ms) : cell.skipped;
}

function ms(value: number): string {
  return value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(3);
}

/** The machine line, and a warning when other processes load it. */
export function formatMachine(machine: MachineInfo): string {
  const lines = [
    `machine: ${machine.cpu}, ${machine.cores} cores, load ${machine.load.toFixed(2)}; ` +
      `node ${machine.node} (V8 ${machine.v8})`,
  ];
  if (machine.load > machine.cores) {
    lines.push(
      `NOTE: load ${machine.load.toFixed(1)} > ${machine.cores} cores: other processes share the CPU, figures are low`,
    );
  }
  return lines.join('\n');
}

/** The GEMM report as text: ms per call, GFLOP/s, and speed relative to NumPy on one thread. */
export function formatReport(report: GemmBenchReport): string {
  const lines: string[] = [];
  lines.push(`wasm: ${report.wasm.simd}; relaxed: ${report.wasm.relaxed}; threads: ${report.wasm.threads}`);
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

/** The layer table: ms per call, then speed relative to the book's NumPy layers on one thread. */
export function formatLayerReport(report: LayerBenchReport): string {
  const lines: string[] = [];
  lines.push(
    '',
    `layers: batch 100, float32 (numpy: the book's Convolution/Pooling, float64, ${report.numpy}); ` +
      'conv GFLOP/s count the forward as 2·N·S·FN·K and the backward as twice that',
  );
  const header = ['layer', 'shape', 'pass', ...LAYER_ENGINES];
  const text = (cell: LayerCell, show: (ms: number) => string): string =>
    'ms' in cell ? show(cell.ms) : cell.skipped;
  const table = (title: string, show: (t: number, row: LayerBenchReport['rows'][number]) => string): void => {
    const rows = report.rows.map((row) => [
      row.workload.name,
      layerLabel(row.workload),
      row.pass,
      ...LAYER_ENGINES.map((e) => text(row.cells[e], (t) => show(t, row))),
    ]);
    lines.push('', title, formatTable(header, rows));
  };
  table('layers: ms per call', (t) => ms(t));
  table('layers: GFLOP/s (convolutions)', (t, row) => {
    const flop = layerFlops(row.workload) * (row.pass === 'backward' ? 2 : 1);
    return flop === 0 ? '-' : (flop / t / 1e6).toFixed(1);
  });
  table("layers: speed relative to NumPy (the book's code) on one thread", (t, row) => {
    const numpy = row.cells['numpy 1T'];
    return 'ms' in numpy ? `${(numpy.ms / t).toFixed(2)}×` : 'n/a';
  });
  return lines.join('\n');
}

/** The training-step table: median ms per step (first step apart), and speed relative to js. */
export function formatStepReport(rows: readonly StepBenchRow[], engines: readonly string[]): string {
  const lines: string[] = [
    '',
    'training step, batch 100 (forward, backward, update): median ms per step after the first; ' +
      '(first step in parentheses, steps timed after it)',
  ];
  const header = ['network', ...engines];
  const cells = rows.map((row) => [
    row.workload.name,
    ...engines.map((e) => {
      const cell = row.cells[e];
      if (!cell) return 'n/a';
      if ('skipped' in cell) return cell.skipped;
      return `${ms(cell.medianMs)} (${ms(cell.firstMs)}, ${cell.steps})`;
    }),
  ]);
  lines.push('', formatTable(header, cells));
  const relative = rows.map((row) => {
    const js = row.cells.js;
    return [
      row.workload.name,
      ...engines.map((e) => {
        const cell = row.cells[e];
        if (!cell || 'skipped' in cell || !js || 'skipped' in js) return 'n/a';
        return `${(js.medianMs / cell.medianMs).toFixed(2)}×`;
      }),
    ];
  });
  lines.push('', 'training step: speed relative to the js backend', formatTable(header, relative));
  return lines.join('\n');
}
