import { measure, type MeasureOptions } from './measure.js';
import { runPython } from './numpy.js';
import { convGeometry, Rng, type ConvGeometry, type Kernels } from './tensor.js';
import { LAYER_WORKLOADS, type LayerWorkload } from './layer-workloads.js';

/** The columns of the layer table, in print order. */
export const LAYER_ENGINES = [
  'js',
  'wasm simd',
  'wasm relaxed',
  'wasm threads',
  'numpy 1T',
  'numpy MT',
] as const;
export type LayerEngine = (typeof LAYER_ENGINES)[number];

export type LayerCell = { ms: number } | { skipped: string };

export interface LayerBenchRow {
  workload: LayerWorkload;
  pass: 'forward' | 'backward';
  cells: Record<LayerEngine, LayerCell>;
}

export interface LayerBenchReport {
  numpy: string;
  rows: LayerBenchRow[];
}

interface LayersReply {
  numpy: string;
  results: { name: string; forwardMs: number; backwardMs: number }[];
}

function randomFloat32(n: number, rng: Rng): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.random() * 4 - 2;
  return out;
}

/** The forward and backward of one workload on one backend, as closures over reused arrays. */
function passes(w: LayerWorkload, kernels: Kernels, rng: Rng): { forward: () => void; backward: () => void } {
  const g: ConvGeometry = convGeometry(w.name, w.input, w.size, w.size, { stride: w.stride, pad: w.pad });
  const image = g.batch * g.channels * g.height * g.width;
  const x = randomFloat32(image, rng);
  const dx = new Float32Array(image);
  if (w.kind === 'pool') {
    const pooled = g.batch * g.channels * g.outH * g.outW;
    const out = new Float32Array(pooled);
    const argmax = new Int32Array(pooled);
    const dout = randomFloat32(pooled, rng);
    kernels.maxPool(x, g, out, argmax);
    return {
      forward: () => kernels.maxPool(x, g, out, argmax),
      backward: () => kernels.maxPoolBackward(dout, argmax, dx),
    };
  }
  const K = g.channels * g.filterH * g.filterW;
  const size = g.batch * w.filters * g.outH * g.outW;
  const common = { g, filters: w.filters, x, w: randomFloat32(w.filters * K, rng) };
  const out = new Float32Array(size);
  const b = randomFloat32(w.filters, rng);
  const dout = randomFloat32(size, rng);
  const [dw, db] = [new Float32Array(w.filters * K), new Float32Array(w.filters)];
  return {
    forward: () => kernels.convForward({ ...common, b, out }),
    backward: () => kernels.convBackward({ ...common, dout, dw, db, dx, accumulate: false }),
  };
}

export interface LayerBenchOptions {
  quick: boolean;
  numpy: boolean;
  timing: MeasureOptions;
  backends: Partial<Record<LayerEngine, Kernels>>;
  onRow?: (row: LayerBenchRow) => void;
}

/** Times each layer workload's forward and backward on every backend given, and the book's NumPy layers. */
export function runLayerBench({
  quick,
  numpy,
  timing,
  backends,
  onRow,
}: LayerBenchOptions): LayerBenchReport {
  const workloads = LAYER_WORKLOADS.filter((w) => !quick || w.quick);
  const request = { workloads, ...timing };
  const single = numpy ? runPython<LayersReply>('layers.py', request, 'single') : undefined;
  const multi = numpy ? runPython<LayersReply>('layers.py', request, 'default') : undefined;
  const numpyCell = (run: typeof single, name: string, pass: 'forwardMs' | 'backwardMs'): LayerCell => {
    if (!run) return { skipped: '--no-numpy' };
    if (!run.ok) return { skipped: 'n/a' };
    const ms = run.reply.results.find((r) => r.name === name)?.[pass];
    return ms === undefined ? { skipped: 'n/a' } : { ms };
  };
  const rows: LayerBenchRow[] = [];
  for (const workload of workloads) {
    const timed = new Map<LayerEngine, { forward: LayerCell; backward: LayerCell }>();
    for (const [engine, kernels] of Object.entries(backends) as [LayerEngine, Kernels][]) {
      const { forward, backward } = passes(workload, kernels, new Rng(20240101));
      // The js convolution is slow enough that one timed call is plenty.
      const options = engine === 'js' ? { budgetMs: 0, batchMs: 0 } : timing;
      forward();
      timed.set(engine, {
        forward: { ms: measure(forward, options) },
        backward: { ms: measure(backward, options) },
      });
    }
    for (const pass of ['forward', 'backward'] as const) {
      const cells = {} as Record<LayerEngine, LayerCell>;
      for (const engine of LAYER_ENGINES) {
        if (engine === 'numpy 1T' || engine === 'numpy MT') {
          cells[engine] = numpyCell(engine === 'numpy 1T' ? single : multi, workload.name, `${pass}Ms`);
        } else {
          cells[engine] = timed.get(engine)?.[pass] ?? { skipped: 'n/a' };
        }
      }
      const row = { workload, pass, cells };
      rows.push(row);
      onRow?.(row);
    }
  }
  const label = !single
    ? 'n/a (--no-numpy)'
    : single.ok
      ? `NumPy ${single.reply.numpy}`
      : `n/a (${single.reason})`;
  return { numpy: label, rows };
}
