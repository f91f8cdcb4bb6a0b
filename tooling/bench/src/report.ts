import { ENGINES, GPU_ENGINES, type Cell, type GemmBenchReport } from './gemm-bench.js';
import type { MachineInfo } from './machine.js';
import { formatTable } from './table.js';
import { flops, shapeLabel } from './workloads.js';
import { LAYER_ENGINES, LAYER_GPU_ENGINES, type LayerBenchReport, type LayerCell } from './layer-bench.js';
import { layerFlops, layerLabel } from './layer-workloads.js';
import type { EpochReport } from './epoch-bench.js';
import type { InferenceReport } from './inference-bench.js';
import { MEMORY_ENGINES, peakKiB, type MemoryCell, type MemoryReport } from './memory-bench.js';
import type { StepBenchReport, StepCell, StepCountRow } from './step-bench.js';
import type { TargetResult } from './targets.js';

/** A cell's figure (' sw' after one taken on a software WebGPU adapter), or why there is none. */
function cellText(cell: Cell | undefined, show: (ms: number) => string): string {
  if (!cell) return 'n/a';
  return 'ms' in cell ? `${show(cell.ms)}${cell.software ? ' sw' : ''}` : cell.skipped;
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
  lines.push(`tfjs: ${report.tfjs}`);
  lines.push(`numpy 1T: ${report.numpy.single}`);
  lines.push(`numpy MT: ${report.numpy.multi}`);
  lines.push(`mode: ${report.mode}; float32, c = op(a)·op(b), beta 0; fastest batch mean of each`);
  if (report.webgpu) {
    lines.push(
      `webgpu: ${report.webgpu.ours}`,
      `tfjs webgpu: ${report.webgpu.tfjs} (tf.matMul with its transpose flags)`,
      `webgpu columns: ${report.webgpu.note}${report.webgpu.software ? " ('sw': software adapter)" : ''}`,
    );
  }

  const engines = [...ENGINES, ...(report.webgpu ? GPU_ENGINES : [])];
  const header = ['workload', 'm×k·k×n', ...engines];
  const table = (title: string, show: (ms: number, flop: number, numpy: Cell) => string): void => {
    const rows = report.rows.map(({ workload, cells }) => [
      workload.name,
      shapeLabel(workload),
      ...engines.map((e) => cellText(cells[e], (t) => show(t, flops(workload), cells['numpy 1T']))),
    ]);
    lines.push('', title, formatTable(header, rows));
  };
  table('ms per call', (t) => ms(t));
  table('GFLOP/s', (t, flop) => (flop / t / 1e6).toFixed(1));
  table('speed relative to NumPy on one thread (higher is faster)', (t, _flop, numpy) =>
    'ms' in numpy ? `${(numpy.ms / t).toFixed(2)}×` : 'n/a',
  );
  for (const { workload, wasmError, webgpuError } of report.rows) {
    if (wasmError !== undefined && wasmError > 1e-4) {
      lines.push(
        `WARNING: ${workload.name}: wasm differs from js by ${wasmError.toExponential(1)} (relative)`,
      );
    }
    if (webgpuError !== undefined && webgpuError > 1e-4) {
      lines.push(
        `WARNING: ${workload.name}: webgpu differs from js by ${webgpuError.toExponential(1)} (relative)`,
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
      'conv GFLOP/s count the forward as 2·N·S·FN·K and the backward as twice that ' +
      "(the direct convolution's count: the wasm backend's 3×3 layers with 8+ input channels run Winograd F(4×4, 3×3), " +
      'up to 4× fewer multiply-adds, so theirs are effective rates)',
  );
  if (report.webgpu) {
    lines.push(
      `webgpu: ${report.webgpu.ours}`,
      `tfjs webgpu: ${report.webgpu.tfjs}`,
      `webgpu columns: ${report.webgpu.note}${report.webgpu.software ? " ('sw': software adapter)" : ''}`,
    );
  }
  const engines = [...LAYER_ENGINES, ...(report.webgpu ? LAYER_GPU_ENGINES : [])];
  const header = ['layer', 'shape', 'pass', ...engines];
  const text = (cell: LayerCell | undefined, show: (ms: number) => string): string =>
    !cell ? 'n/a' : 'ms' in cell ? `${show(cell.ms)}${cell.software ? ' sw' : ''}` : cell.skipped;
  const table = (title: string, show: (t: number, row: LayerBenchReport['rows'][number]) => string): void => {
    const rows = report.rows.map((row) => [
      row.workload.name,
      layerLabel(row.workload),
      row.pass,
      ...engines.map((e) => text(row.cells[e], (t) => show(t, row))),
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

/** Where the step targets put each network's bound: time relative to the NumPy book step. */
const STEP_TARGETS: Readonly<Record<string, string>> = {
  TwoLayerNet: '<= 0.70',
  SimpleConvNet: '<= 0.083 (1/12)',
  DeepConvNet: '<= 0.083 (1/12)',
};

function stepText(cell: StepCell | undefined): string {
  if (!cell) return 'n/a';
  if ('skipped' in cell) return cell.skipped;
  return `${ms(cell.medianMs)} (${ms(cell.firstMs)}, ${cell.steps})${cell.software ? ' sw' : ''}`;
}

function count(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(2);
}

/** Per training step in steady state, at the device: ours beside TF.js's webgpu backend. */
export function formatStepCounts(
  counts: readonly StepCountRow[],
  title = 'webgpu: per training step in steady state',
): string {
  const rows = counts.flatMap(({ network, ours, tfjs, oursF16 }) =>
    (
      [
        ['webgpu (ours)', ours],
        ...(oursF16 ? ([['webgpu f16 (ours)', oursF16]] as const) : []),
        ['tfjs webgpu', tfjs],
      ] as const
    ).map(([engine, c]) =>
      'skipped' in c
        ? [network, engine, c.skipped, '', '', '', '', '', '']
        : [
            network,
            engine,
            count(c.perStep.dispatches),
            count(c.perStep.buffersCreated),
            count(c.perStep.reads),
            count(c.perStep.readBytes),
            count(c.perStep.submits),
            count(c.perStep.writeBytes),
            `${c.batch} (${c.warmup} + ${c.steps})`,
          ],
    ),
  );
  return [
    '',
    `${title}, counted at the device (GPUDevice.createBuffer, ` +
      'dispatchWorkgroups, copies into mappable buffers and mapAsync, queue.submit and writeBuffer), ' +
      'after warm-up steps; bytes read back are whole copies (ours pads a buffer to 16 bytes)',
    formatTable(
      [
        'network',
        'engine',
        'dispatches',
        'buffers created',
        'reads',
        'bytes read back',
        'submits',
        'bytes written',
        'batch (warm-up + counted)',
      ],
      rows,
    ),
  ].join('\n');
}

/**
 * The training-step tables: median ms per step (first step apart), time relative to the book's
 * NumPy step (with the target), and speed relative to js.
 */
export function formatStepReport(report: StepBenchReport): string {
  const { rows, engines } = report;
  const lines: string[] = [
    '',
    'training step, batch 100 (forward, backward, update): median ms per step after the first; ' +
      '(first step = warm-up, steps timed after it)',
    `numpy: ${report.numpy}`,
    `tfjs: ${report.tfjs}`,
    `convnetjs: ${report.convnetjs}`,
  ];
  if (report.webgpu) {
    lines.push(
      `webgpu: ${report.webgpu.ours}; a step is recorded before the previous step's loss is awaited`,
      `tfjs webgpu: ${report.webgpu.tfjs}; each step ends in await loss.data()`,
      `webgpu columns: ${report.webgpu.note}${report.webgpu.software ? " ('sw': software adapter)" : ''}`,
    );
  }
  const header = ['network', ...engines];
  lines.push(
    '',
    formatTable(
      header,
      rows.map((row) => [row.workload.name, ...engines.map((e) => stepText(row.cells[e]))]),
    ),
  );
  const target = (name: string): string =>
    Object.entries(STEP_TARGETS).find(([net]) => name.startsWith(net))?.[1] ?? '-';
  for (const numpy of ['numpy MT', 'numpy 1T'] as const) {
    const relative = rows.map((row) => {
      const ref = row.cells[numpy];
      return [
        row.workload.name,
        ...engines.map((e) => {
          const cell = row.cells[e];
          if (!cell || 'skipped' in cell || !ref || 'skipped' in ref) return 'n/a';
          return `${(cell.medianMs / ref.medianMs).toFixed(3)}`;
        }),
        target(row.workload.name),
      ];
    });
    lines.push(
      '',
      `training step: time relative to the book's NumPy step, ${numpy} (lower is faster; target for ours)`,
      formatTable([...header, 'target'], relative),
    );
  }
  if (report.webgpu?.f16) lines.push('', `webgpu f16: ${report.webgpu.f16}`);
  if (report.webgpu && report.webgpu.counts.length > 0) lines.push(formatStepCounts(report.webgpu.counts));
  if (report.webgpu?.models && report.webgpu.models.length > 0) {
    lines.push(
      formatStepCounts(
        report.webgpu.models,
        "webgpu: the six book networks (buildModel, the book's optimizer), per training step in steady state",
      ),
    );
  }
  return lines.join('\n');
}

/** DeepConvNet inference over the test images: seconds per pass, images per second, vs TF.js wasm. */
export function formatInferenceReport(report: InferenceReport): string {
  const lines = [
    '',
    `inference: DeepConvNet predict over ${report.data}, batches of ${report.batch}; ` +
      `median of the timed passes (first pass = warm-up on ${Math.max(100, report.images / 10)} images)`,
    `tfjs: ${report.tfjs}`,
    `numpy: ${report.numpy}`,
  ];
  if (report.webgpu) {
    lines.push(
      `webgpu: ${report.webgpu.ours}`,
      `tfjs webgpu: ${report.webgpu.tfjs}`,
      `webgpu rows: ${report.webgpu.note}${report.webgpu.software ? " ('sw': software adapter)" : ''}`,
    );
  }
  const ref = report.cells['tfjs wasm'];
  const rows = Object.entries(report.cells).map(([engine, cell]) => {
    if ('skipped' in cell) return [engine, '-', '', '', '', '', '', ''];
    // Per image: a software adapter's rows pass over fewer images.
    const images = cell.images ?? report.images;
    return [
      `${engine}${cell.software ? ' sw' : ''}`,
      (cell.medianMs / 1000).toFixed(2),
      String(images),
      ms(cell.firstMs),
      String(cell.runs),
      ((images / cell.medianMs) * 1000).toFixed(0),
      ref && 'medianMs' in ref
        ? (cell.medianMs / images / (ref.medianMs / (ref.images ?? report.images))).toFixed(3)
        : 'n/a',
      engine.startsWith('wasm') ? '<= 0.50' : '',
    ];
  });
  lines.push(
    '',
    formatTable(
      [
        'engine',
        's per pass',
        'images',
        'warm-up ms',
        'passes',
        'images/s',
        'time / tfjs wasm (per image)',
        'target',
      ],
      rows,
    ),
  );
  for (const [engine, cell] of Object.entries(report.cells)) {
    if ('skipped' in cell) lines.push(`${engine}: ${cell.skipped}`);
  }
  return lines.join('\n');
}

/** One epoch of SimpleConvNet (600 steps of 100), measured whole. */
export function formatEpochReport(report: EpochReport): string {
  const lines = [
    '',
    `one epoch of SimpleConvNet, Adam: ${report.steps} steps of batch 100 from ${report.data}` +
      (report.steps < 600 ? ` (--quick: ${report.steps} steps, NOT a whole epoch)` : ''),
  ];
  const rows = Object.entries(report.cells).map(([engine, cell]) => [
    engine,
    (cell.totalMs / 1000).toFixed(1),
    String(cell.steps),
    ms(cell.firstMs),
    ms(cell.medianMs),
  ]);
  lines.push('', formatTable(['engine', 'total s', 'steps', 'first step ms', 'median step ms'], rows));
  return lines.join('\n');
}

/** Peak resident set in MiB, the process before the library and data loaded in parentheses. */
export function memoryText(cell: MemoryCell | undefined): string {
  if (!cell) return 'n/a';
  if ('skipped' in cell) return cell.skipped;
  return `${(cell.maxRssKiB / 1024).toFixed(0)} (${(cell.startKiB / 1024).toFixed(0)})`;
}

/** ours / NumPy's peak, to three places, or n/a. */
export function memoryRatio(ours: MemoryCell | undefined, numpy: MemoryCell | undefined): string {
  const a = peakKiB(ours);
  const b = peakKiB(numpy);
  return a === undefined || b === undefined ? 'n/a' : (a / b).toFixed(3);
}

/** Peak resident memory of each network's training run, ours and NumPy's, and their ratio. */
export function formatMemoryReport(report: MemoryReport): string {
  const what = (engine: (typeof MEMORY_ENGINES)[number]): string => report.engines[engine] ?? 'n/a';
  const lines = [
    '',
    `peak resident memory of a training run, MiB: ${report.steps} steps of batch 100 from ${report.data}, ` +
      'each run in a fresh process, loading the data included; in parentheses the process before the ' +
      'library and the data loaded (node; python3 with NumPy)',
    "ours: the library's Trainer, plain node on the compiled packages as `dl train` runs, MNIST as bytes " +
      `scaled per batch (loadMnistBytes); wasm 1T: ${what('wasm 1T')}; wasm threads: ${what('wasm threads')}`,
    `numpy: ${what('numpy 1T')}, the book's code (float64 weights, float32 images); ` +
      '1T: OPENBLAS_NUM_THREADS=1; MT: OpenBLAS default threads',
  ];
  const rows = report.rows.map(({ name, cells }) => [
    name,
    ...MEMORY_ENGINES.map((e) => memoryText(cells[e])),
    memoryRatio(cells['wasm 1T'], cells['numpy 1T']),
    memoryRatio(cells['wasm threads'], cells['numpy MT']),
    '<= 1',
  ]);
  const header = ['network', ...MEMORY_ENGINES, '1T / numpy 1T', 'threads / numpy MT', 'target'];
  lines.push('', formatTable(header, rows));
  return lines.join('\n');
}

/** The targets: ratio, bound, met or missed by how much. */
export function formatTargets(targets: readonly TargetResult[]): string {
  const rows = targets.map((t) => [
    t.target,
    t.compared,
    t.ratio === undefined ? 'n/a' : t.ratio.toFixed(3),
    `${t.kind === 'atMost' ? '<=' : '>='} ${t.bound.toFixed(3)}`,
    t.verdict,
  ]);
  return [
    '',
    'targets (this run; ratio = time of ours / time of the reference, but speed for the GEMM one ' +
      'and peak resident memory for the RSS ones; a target is met when all its rows are)',
    formatTable(['target', 'compared', 'ratio', 'bound', 'verdict'], rows),
  ].join('\n');
}
