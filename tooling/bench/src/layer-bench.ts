import { measure, type MeasureOptions } from './measure.js';
import { runPython } from './numpy.js';
import { convGeometry, Rng, type ConvGeometry, type Kernels } from './tensor.js';
import { LAYER_WORKLOADS, layerFlops, type LayerWorkload } from './layer-workloads.js';
import { loadTfjs, loadTfjsWebGpu, tfjsGpuDone, type Tfjs } from './tfjs.js';
import {
  gpuDone,
  measureGpu,
  SOFTWARE_LABEL,
  webgpuEngines,
  type OurGpu,
  type WebGpuKernels,
} from './webgpu.js';

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

/** The webgpu columns, printed after LAYER_ENGINES when the run has them. */
export const LAYER_GPU_ENGINES = ['webgpu', 'tfjs webgpu'] as const;
export type LayerGpuEngine = (typeof LAYER_GPU_ENGINES)[number];

/** `software`: timed on a software WebGPU adapter, labelled so and held to no target. */
export type LayerCell = { ms: number; software?: boolean } | { skipped: string };

export interface LayerBenchRow {
  workload: LayerWorkload;
  pass: 'forward' | 'backward';
  cells: Record<LayerEngine, LayerCell> & Partial<Record<LayerGpuEngine, LayerCell>>;
}

export interface LayerBenchReport {
  numpy: string;
  rows: LayerBenchRow[];
  /** The webgpu columns' engines and sizes (`addLayerGpuCells`); undefined when not run. */
  webgpu?: { ours: string; tfjs: string; software: boolean; note: string };
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

/**
 * On a software adapter (llvmpipe, ~0.3 GFLOP/s) only the layers whose forward is at most this many
 * FLOP are timed on the webgpu columns (the pooling layers always), and only this many calls.
 */
const SOFTWARE_MAX_FLOPS = 1.1e8;
const GPU_RUNS = { software: 3, hardware: 10 } as const;

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n', 1)[0]!.trim();
}

/**
 * Our webgpu layer kernels on GPU arrays (`convForward`/`convBackward`, `maxPool`/`maxPoolBackward`
 * of `WebGpuKernels.gpu`), the operands uploaded once; a call records the kernel, submits it and
 * waits for the GPU, nothing read back.
 */
async function ourGpuPasses(
  w: LayerWorkload,
  kernels: WebGpuKernels,
  runs: number,
): Promise<{ forward: number; backward: number }> {
  const gpu = kernels.gpu;
  const rng = new Rng(20240101);
  const g: ConvGeometry = convGeometry(w.name, w.input, w.size, w.size, { stride: w.stride, pad: w.pad });
  const image = g.batch * g.channels * g.height * g.width;
  const x = gpu.upload(randomFloat32(image, rng));
  const dx = gpu.alloc('float32', image);
  const arrays: Parameters<typeof gpu.release>[0][] = [x, dx];
  let forward: () => void;
  let backward: () => void;
  if (w.kind === 'pool') {
    const pooled = g.batch * g.channels * g.outH * g.outW;
    const out = gpu.alloc('float32', pooled);
    const argmax = gpu.alloc('int32', pooled);
    const dout = gpu.upload(randomFloat32(pooled, rng));
    arrays.push(out, argmax, dout);
    forward = () => gpu.maxPool(x, g, out, argmax);
    backward = () => gpu.maxPoolBackward(dout, argmax, dx);
  } else {
    const K = g.channels * g.filterH * g.filterW;
    const size = g.batch * w.filters * g.outH * g.outW;
    const weights = gpu.upload(randomFloat32(w.filters * K, rng));
    const b = gpu.upload(randomFloat32(w.filters, rng));
    const out = gpu.alloc('float32', size);
    const dout = gpu.upload(randomFloat32(size, rng));
    const [dw, db] = [gpu.alloc('float32', w.filters * K), gpu.alloc('float32', w.filters)];
    arrays.push(weights, b, out, dout, dw, db);
    const common = { g, filters: w.filters, x, w: weights };
    forward = () => gpu.convForward({ ...common, b, out });
    backward = () => gpu.convBackward({ ...common, dout, dw, db, dx, accumulate: false });
  }
  const time = (call: () => void): Promise<number> =>
    measureGpu(async () => {
      call();
      await gpuDone(kernels);
    }, runs);
  // The forward first: the pooling backward reads its argmax.
  const timed = { forward: await time(forward), backward: await time(backward) };
  for (const array of arrays) gpu.release(array);
  return timed;
}

type TfTensor = ReturnType<Tfjs['tf']['tensor']>;

/**
 * TF.js's webgpu kernels on the same shapes in its layout (NHWC, filters HWIO): the forward
 * `tf.fused.conv2d` with its bias (as ours adds it) or `tf.maxPool`, the backward its gradient
 * kernels (`Conv2DBackpropFilter`, `Conv2DBackpropInput` and the bias's sum; `MaxPoolGrad`), through
 * `tf.engine().runKernel`; each call submitted and waited for, nothing read back.
 */
async function tfjsGpuPasses(
  w: LayerWorkload,
  tfjs: Tfjs,
  runs: number,
): Promise<{ forward: number; backward: number }> {
  const { tf } = tfjs;
  const rng = new Rng(20240101);
  const [n, c, h, wd] = w.input;
  const g: ConvGeometry = convGeometry(w.name, w.input, w.size, w.size, { stride: w.stride, pad: w.pad });
  const x = tf.tensor4d(randomFloat32(n * h * wd * c, rng), [n, h, wd, c]);
  const kept: { dispose(): void }[] = [x];
  const outShape: [number, number, number, number] = [n, g.outH, g.outW, w.kind === 'pool' ? c : w.filters];
  const dy = tf.tensor4d(
    randomFloat32(
      outShape.reduce((a, b) => a * b, 1),
      rng,
    ),
    outShape,
  );
  kept.push(dy);
  let forward: () => { dispose(): void }[];
  let backward: () => { dispose(): void }[];
  if (w.kind === 'pool') {
    const y = tf.maxPool(x, w.size, w.stride, 'valid');
    kept.push(y);
    forward = () => [tf.maxPool(x, w.size, w.stride, 'valid')];
    backward = () => [
      tf.engine().runKernel<TfTensor>(
        'MaxPoolGrad',
        { dy, input: x, output: y },
        {
          filterSize: w.size,
          strides: w.stride,
          pad: 'valid',
        },
      ),
    ];
  } else {
    const filter = tf.tensor4d(randomFloat32(w.size * w.size * c * w.filters, rng), [
      w.size,
      w.size,
      c,
      w.filters,
    ]);
    const bias = tf.tensor1d(randomFloat32(w.filters, rng));
    kept.push(filter, bias);
    const attrs = { strides: [w.stride, w.stride], pad: w.pad, dataFormat: 'NHWC' };
    forward = () => [tf.fused.conv2d({ x, filter, bias, strides: w.stride, pad: w.pad })];
    backward = () => [
      tf.engine().runKernel<TfTensor>(
        'Conv2DBackpropFilter',
        { x, dy },
        {
          ...attrs,
          filterShape: [w.size, w.size, c, w.filters],
        },
      ),
      tf.engine().runKernel<TfTensor>(
        'Conv2DBackpropInput',
        { dy, filter },
        {
          ...attrs,
          inputShape: [n, h, wd, c],
        },
      ),
      tf.sum(dy, [0, 1, 2]),
    ];
  }
  const time = (call: () => { dispose(): void }[]): Promise<number> =>
    measureGpu(async () => {
      const outs = call();
      await tfjsGpuDone(tfjs);
      for (const t of outs) t.dispose();
    }, runs);
  try {
    return { forward: await time(forward), backward: await time(backward) };
  } finally {
    for (const t of kept) t.dispose();
  }
}

/**
 * Adds the webgpu columns to a layer report: our webgpu backend's layer kernels and TF.js's webgpu
 * backend's on the same shapes. On a software adapter, cells say so, and the big convolutions are
 * skipped (see SOFTWARE_MAX_FLOPS).
 */
export async function addLayerGpuCells(
  report: LayerBenchReport,
  { webgpu, onRow }: { webgpu: OurGpu; onRow?: (row: LayerBenchRow) => void },
): Promise<LayerBenchReport> {
  const tfjs = await loadTfjs();
  const tfjsGpu = await loadTfjsWebGpu(tfjs);
  const software = webgpu.ok && webgpu.software;
  const runs = software ? GPU_RUNS.software : GPU_RUNS.hardware;
  const label = software ? { software: true } : {};
  const workloads = [...new Set(report.rows.map((r) => r.workload))];
  for (const workload of workloads) {
    const rows = report.rows.filter((r) => r.workload === workload);
    const set = (engine: LayerGpuEngine, cell: (pass: 'forward' | 'backward') => LayerCell): void => {
      for (const row of rows) row.cells[engine] = cell(row.pass);
    };
    if (software && layerFlops(workload) > SOFTWARE_MAX_FLOPS) {
      set('webgpu', () => ({ skipped: `skipped (${SOFTWARE_LABEL})` }));
      set('tfjs webgpu', () => ({ skipped: `skipped (${SOFTWARE_LABEL})` }));
      for (const row of rows) onRow?.(row);
      continue;
    }
    if (!webgpu.ok) {
      set('webgpu', () => ({ skipped: `n/a (${webgpu.reason})` }));
    } else {
      try {
        const timed = await ourGpuPasses(workload, webgpu.kernels, runs);
        set('webgpu', (pass) => ({ ms: timed[pass], ...label }));
      } catch (error) {
        set('webgpu', () => ({ skipped: `n/a (${firstLine(error)})` }));
      }
    }
    if (!tfjsGpu.ok || !(await tfjs.use('webgpu'))) {
      set('tfjs webgpu', () => ({ skipped: `n/a (${tfjsGpu.ok ? 'backend failed' : tfjsGpu.reason})` }));
    } else {
      try {
        const timed = await tfjsGpuPasses(workload, tfjs, runs);
        set('tfjs webgpu', (pass) => ({ ms: timed[pass], ...label }));
      } catch (error) {
        set('tfjs webgpu', () => ({ skipped: `n/a (${firstLine(error)})` }));
      }
    }
    for (const row of rows) onRow?.(row);
  }
  report.webgpu = {
    ...webgpuEngines(webgpu, tfjsGpu, tfjs.version),
    software,
    note:
      'operands on the GPU; a call records the layer kernel(s), submits and waits for the GPU (nothing read back); ' +
      `fastest of ${runs} calls after one; tfjs: fused.conv2d with bias / maxPool, backward Conv2DBackpropFilter + ` +
      'Conv2DBackpropInput + the bias sum / MaxPoolGrad (NHWC)' +
      (software
        ? `; ${SOFTWARE_LABEL} (llvmpipe: ~0.3 GFLOP/s): batch 100 but only convolutions up to ${SOFTWARE_MAX_FLOPS / 1e6} MFLOP forward, no time target`
        : ''),
  };
  return report;
}
