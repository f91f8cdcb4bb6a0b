import { convnetjsStep } from './convnetjs.js';
import type { LayerNetwork } from './networks.js';
import { runPython, type NumpyThreads } from './numpy.js';
import { STEP_WORKLOADS, type StepWorkload } from './step-workloads.js';
import { randint, randn, Rng, stepScope, type Kernels } from './tensor.js';
import { loadTfjs, loadTfjsWebGpu, TFJS_BACKENDS, tfjsTrainer } from './tfjs.js';
import {
  bookModelCounts,
  ourGpuCell,
  SOFTWARE_COUNT_BATCH,
  SOFTWARE_STEPS,
  webgpuCells,
} from './step-bench-webgpu.js';
import { openOurGpu, SOFTWARE_LABEL, webgpuEngines, type OurGpu, type StepCounts } from './webgpu.js';

/** One training step (batch 100): forward, backward and the optimizer's update, as the Trainer runs it. */
type NetInput = Parameters<LayerNetwork['gradient']>[0];
type NetLabels = Parameters<LayerNetwork['gradient']>[1];
type NetContext = Parameters<LayerNetwork['gradient']>[2];

/** The comparison columns after our backends'. */
export const STEP_OTHERS = ['numpy 1T', 'numpy MT', 'tfjs wasm', 'tfjs cpu', 'convnetjs'] as const;

/** `software`: timed on a software (CPU) WebGPU adapter, labelled so and held to no time target. */
export type StepCell =
  | { firstMs: number; medianMs: number; minMs: number; steps: number; software?: boolean }
  | { skipped: string };

/** The webgpu columns, after our other backends' and after the other TF.js columns. */
export const STEP_WEBGPU = 'webgpu';
export const STEP_TFJS_WEBGPU = 'tfjs webgpu';
/** Our webgpu backend with float16 storage (`createWebGpuKernels({ precision: 'float16' })`). */
export const STEP_WEBGPU_F16 = 'webgpu f16';

/** One network's cost per training step at the device, ours and TF.js's (`gpu-count.ts`). */
export interface StepCountRow {
  network: string;
  ours: StepCounts | { skipped: string };
  tfjs: StepCounts | { skipped: string };
  /** Ours with float16 storage. */
  oursF16?: StepCounts | { skipped: string };
}

export interface StepBenchRow {
  workload: StepWorkload;
  cells: Record<string, StepCell>;
}

export interface StepBenchOptions {
  backends: Readonly<Record<string, Kernels>>;
  quick: boolean;
  numpy: boolean;
  /** Our webgpu backend, or why it did not open; undefined: no webgpu columns. */
  webgpu?: OurGpu;
  onRow?: (row: StepBenchRow) => void;
}

interface StepsReply {
  numpy: string;
  results: { name: string; firstMs: number; medianMs: number; minMs: number; steps: number }[];
}

export function stepsCount(count: number, quick: boolean): number {
  return Math.max(1, Math.ceil(count / (quick ? 4 : 1)));
}

/**
 * Untimed steps after the first, until this long has passed since it began: a training run takes
 * thousands of steps, and V8 takes a few hundred sub-millisecond ones to tier its JavaScript and
 * WebAssembly up (TwoLayerNet on wasm: blocks of 100 steps 0.6-1.0 ms, then 0.45 from the third;
 * on two threads each isolate tiers up its own). NumPy's steps get the same (python/steps.py).
 * A step slower than this is timed after its first alone, as before.
 */
export const WARM_UP_MS = 1000;

/** First step, untimed steps for the rest of `WARM_UP_MS`, then the median (and fastest) of `count` more. */
function timeSteps(step: () => void, count: number, firstMs?: number): StepCell {
  const timed = (): number => {
    const start = performance.now();
    step();
    return performance.now() - start;
  };
  const began = performance.now() - (firstMs ?? 0);
  const first = firstMs ?? timed();
  while (performance.now() - began < WARM_UP_MS) step();
  const times = Array.from({ length: count }, timed).sort((a, b) => a - b);
  return { firstMs: first, medianMs: times[times.length >> 1]!, minMs: times[0]!, steps: count };
}

/** The book's training steps in NumPy (python/steps.py) for the workloads, on one thread or all. */
function numpySteps(
  workloads: readonly StepWorkload[],
  threads: NumpyThreads,
  quick: boolean,
): { cells: Map<string, StepCell>; label: string } {
  const networks = workloads.map((w) => ({
    name: w.name,
    kind: w.kind,
    steps: stepsCount(w.steps.wasm, quick),
  }));
  const run = runPython<StepsReply>('steps.py', { networks }, threads);
  if (!run.ok) return { cells: new Map(), label: `n/a (${run.reason})` };
  const cells = new Map<string, StepCell>(
    run.reply.results.map(({ name, firstMs, medianMs, minMs, steps }) => [
      name,
      { firstMs, medianMs, minMs, steps },
    ]),
  );
  return { cells, label: `NumPy ${run.reply.numpy}` };
}

export interface StepBenchReport {
  rows: StepBenchRow[];
  /** Our backends' columns, then STEP_OTHERS. */
  engines: string[];
  numpy: string;
  tfjs: string;
  convnetjs: string;
  /** The webgpu columns: the adapters, whether software, the sizes used; undefined when not run. */
  webgpu?: {
    ours: string;
    tfjs: string;
    software: boolean;
    note: string;
    counts: StepCountRow[];
    /** The f16 column's backend: adapter, storage and arithmetic (`gpu.compute`), or why not. */
    f16?: string;
    /**
     * All six book networks (`BOOK_MODELS`, built by `buildModel`), counted per step as `counts`:
     * ours at float32 and float16 storage, TF.js's where it builds the same network.
     */
    models?: StepCountRow[];
  };
}

/**
 * Times each network's training step on each backend: the first step apart, then the median; then
 * the book's NumPy step, TF.js (layers models, `optimizer.minimize`) on its wasm and cpu backends,
 * and convnetjs for the CNNs. The layers are imported here, not at load: they need the `source`
 * condition main.ts runs node with.
 */
export async function runStepBench({
  backends,
  quick,
  numpy,
  webgpu,
  onRow,
}: StepBenchOptions): Promise<StepBenchReport> {
  const lib = await import('./networks.js');
  const tfjs = await loadTfjs();
  const { CONVNETJS_METHOD, CONVNETJS_VERSION } = await import('./convnetjs.js');
  const workloads = STEP_WORKLOADS.filter((w) => !quick || w.quick);
  const single = numpy
    ? numpySteps(workloads, 'single', quick)
    : { cells: new Map<string, StepCell>(), label: 'n/a (--no-numpy)' };
  const multi = numpy
    ? numpySteps(workloads, 'default', quick)
    : { cells: new Map<string, StepCell>(), label: 'n/a (--no-numpy)' };
  const rows: StepBenchRow[] = [];
  const tfjsGpu = webgpu ? await loadTfjsWebGpu(tfjs) : undefined;
  const software = webgpu?.ok === true && webgpu.software;
  const counts: StepCountRow[] = [];
  // The f16 column: a second backend on the same kind of adapter, float16 storage; the same tile.
  const webgpuF16: OurGpu | undefined = !webgpu
    ? undefined
    : webgpu.ok
      ? await openOurGpu({ tile: webgpu.tile, precision: 'float16' })
      : webgpu;
  for (const workload of workloads) {
    const cells: Record<string, StepCell> = {};
    const rng = new Rng(1);
    const x = randn([100, ...workload.sample], rng);
    const t = randint([100], rng, 0, 10);
    for (const [engine, kernels] of Object.entries(backends)) {
      // At run time these are the layers' own Tensor class (one @dl/tensor source module); the type
      // checker sees @dl/tensor's declarations through the layers' package, hence the casts.
      const ctx = { train: true, rng: new Rng(2) } as unknown as NetContext;
      const { net, optimizer } = workload.make(lib, kernels);
      // The batch on the backend too, as the Trainer gathers it (no copy per step).
      const [xb, tb] = [x.to(kernels), t.to(kernels)];
      const step = (): void =>
        stepScope(() => {
          net.gradient(xb as unknown as NetInput, tb as unknown as NetLabels, ctx);
          optimizer.update(net.params());
        }, kernels);
      const count = engine === 'js' ? workload.steps.js : workload.steps.wasm;
      cells[engine] = timeSteps(step, stepsCount(count, quick));
    }
    const missing = (label: string): StepCell => ({ skipped: label });
    cells['numpy 1T'] = single.cells.get(workload.name) ?? missing('n/a');
    cells['numpy MT'] = multi.cells.get(workload.name) ?? missing('n/a');
    const xData = new Float32Array(x.data);
    const labels = new Int32Array(t.data);
    for (const backend of TFJS_BACKENDS) {
      const column = `tfjs ${backend}`;
      const count = backend === 'cpu' ? workload.steps.tfjsCpu : workload.steps.wasm;
      if (backend === 'cpu' && (workload.skipTfjsCpu !== undefined || (count === 0 && quick))) {
        cells[column] = missing(workload.skipTfjsCpu ?? 'full run only');
        continue;
      }
      if (!(await tfjs.use(backend))) {
        cells[column] = missing('n/a (backend failed)');
        continue;
      }
      const trainer = tfjsTrainer(tfjs, workload.kind, xData, labels, workload.optimizer);
      if ('cannot' in trainer) {
        cells[column] = missing(trainer.cannot);
        continue;
      }
      cells[column] =
        count === 0
          ? missing(`first step only: ${(trainer.firstMs / 1000).toFixed(1)} s`)
          : timeSteps(trainer.step, stepsCount(count, quick), trainer.firstMs);
      trainer.dispose();
    }
    if (workload.kind === 'two' || workload.steps.convnetjs === 0) {
      cells.convnetjs = missing('-');
    } else {
      cells.convnetjs = timeSteps(
        convnetjsStep(workload.kind, xData, labels).step,
        stepsCount(workload.steps.convnetjs, quick),
      );
    }
    if (webgpu) {
      const { ours, tfjsCell, count } = await webgpuCells(workload, x, t, lib, tfjs, webgpu, tfjsGpu, quick);
      cells[STEP_WEBGPU] = ours;
      cells[STEP_TFJS_WEBGPU] = tfjsCell;
      if (webgpuF16) {
        const f16 = await ourGpuCell(workload, x, t, lib, webgpuF16, quick);
        cells[STEP_WEBGPU_F16] = f16.cell;
        count.oursF16 = f16.count;
      }
      counts.push(count);
    }
    const row = { workload, cells };
    rows.push(row);
    onRow?.(row);
  }
  const models = webgpu ? await bookModelCounts(lib, tfjs, webgpu, webgpuF16, tfjsGpu, counts) : undefined;
  const f16 = webgpuF16?.ok
    ? `${webgpuF16.adapter}, tile ${webgpuF16.tile.T}x${webgpuF16.tile.R}: ${webgpuF16.compute}`
    : webgpuF16
      ? `n/a (${webgpuF16.reason})`
      : undefined;
  if (webgpuF16?.ok) webgpuF16.kernels.gpu.destroy();
  const gpuEngines = webgpu ? [STEP_WEBGPU, STEP_WEBGPU_F16] : [];
  return {
    rows,
    engines: [...Object.keys(backends), ...gpuEngines, ...STEP_OTHERS, ...(webgpu ? [STEP_TFJS_WEBGPU] : [])],
    numpy: `the book's code, float64; 1T: ${single.label}, OPENBLAS_NUM_THREADS=1; MT: ${multi.label}, OpenBLAS default threads`,
    tfjs:
      `TF.js ${tfjs.version} (tfjs-layers models, optimizer.minimize; ${tfjs.wasmNote}); tfjs cpu: ` +
      "one SimpleConvNet step only (full run), DeepConvNet's (~10× the FLOPs) not run",
    convnetjs: `convnetjs ${CONVNETJS_VERSION} (one sample at a time, float64, ${CONVNETJS_METHOD}: npm 0.3.0 has no Adam)`,
    ...(webgpu
      ? {
          webgpu: {
            ...webgpuEngines(webgpu, tfjsGpu, tfjs.version),
            software,
            note: software
              ? `${SOFTWARE_LABEL}: batch 100 but only ${SOFTWARE_STEPS.two}/${SOFTWARE_STEPS.simple}/${SOFTWARE_STEPS.deep} timed steps (TwoLayerNet/SimpleConvNet/DeepConvNet), no time target; counts at batch ${SOFTWARE_COUNT_BATCH}`
              : 'timed as the wasm columns; counts at batch 100',
            counts,
            ...(f16 !== undefined ? { f16 } : {}),
            ...(models ? { models } : {}),
          },
        }
      : {}),
  };
}
