import type * as NetworksModule from './networks.js';
import { convnetjsStep } from './convnetjs.js';
import type { LayerNetwork } from './networks.js';
import { runPython, type NumpyThreads } from './numpy.js';
import { STEP_WORKLOADS, type StepWorkload } from './step-workloads.js';
import { randint, randn, Rng, stepScope, Tensor, type Kernels } from './tensor.js';
import {
  loadTfjs,
  loadTfjsWebGpu,
  TFJS_BACKENDS,
  tfjsAsyncTrainer,
  tfjsDevice,
  tfjsTrainer,
} from './tfjs.js';
import { installGpuCounters } from './gpu-count.js';
import { BOOK_MODELS } from './book-models.js';
import {
  countSteps,
  openOurGpu,
  ourGpuStep,
  SOFTWARE_LABEL,
  timeAwaitedSteps,
  timeGpuSteps,
  type OurGpu,
  type StepCounts,
} from './webgpu.js';

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

function stepsCount(count: number, quick: boolean): number {
  return Math.max(1, Math.ceil(count / (quick ? 4 : 1)));
}

/** First step, then the median (and fastest) of `count` more. */
function timeSteps(step: () => void, count: number, firstMs?: number): StepCell {
  const timed = (): number => {
    const start = performance.now();
    step();
    return performance.now() - start;
  };
  const first = firstMs ?? timed();
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
            ours: webgpu.ok
              ? `${webgpu.adapter}, tile ${webgpu.tile.T}x${webgpu.tile.R}`
              : `n/a (${webgpu.reason})`,
            tfjs: tfjsGpu?.ok
              ? `TF.js ${tfjs.version} webgpu on ${tfjsGpu.adapter}`
              : `n/a (${tfjsGpu?.reason ?? 'not run'})`,
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

/** Timed steps per network on a software adapter (~0.1-0.3 GFLOP/s: a DeepConvNet step of 100 takes tens of seconds). */
const SOFTWARE_STEPS = { two: 5, simple: 2, deep: 1 } as const;
/** The batch the device counts are taken at on a software adapter (they do not depend on it). */
const SOFTWARE_COUNT_BATCH = 8;

type BuildRng = NonNullable<Parameters<typeof NetworksModule.buildModel>[1]>['rng'];

/** The first `batch` rows of a batch (images and labels), for the counts. */
function headOf(x: Tensor, t: Tensor, batch: number): { xs: Tensor; ts: Tensor } {
  const per = x.size / x.shape[0]!;
  return {
    xs: new Tensor(x.data.slice(0, batch * per), [batch, ...x.shape.slice(1)]),
    ts: new Tensor(Int32Array.from(t.data.slice(0, batch)), [batch], 'int32'),
  };
}

/**
 * Our cell of one network on `webgpu` (float32 or float16 storage) and its device counts: a step
 * recorded one ahead of its loss.
 */
async function ourGpuCell(
  workload: StepWorkload,
  x: Tensor,
  t: Tensor,
  lib: typeof NetworksModule,
  webgpu: OurGpu,
  quick: boolean,
): Promise<{ cell: StepCell; count: StepCounts | { skipped: string } }> {
  if (!webgpu.ok) return { cell: { skipped: `n/a (${webgpu.reason})` }, count: { skipped: 'n/a' } };
  const software = webgpu.software;
  const timedSteps = software ? SOFTWARE_STEPS[workload.kind] : stepsCount(workload.steps.wasm, quick);
  const countBatch = software ? SOFTWARE_COUNT_BATCH : 100;
  const small = headOf(x, t, countBatch);
  const gpu = webgpu.kernels;
  const make = (xs: Tensor, ts: Tensor): (() => Promise<number>) => {
    const { net, optimizer } = workload.make(lib, gpu);
    // The images on the GPU once, as the Trainer gathers a batch; the labels stay on the host
    // (the loss's one-hot weights are made from them there).
    return ourGpuStep(net, optimizer, xs.to(gpu), ts, { train: true, rng: new Rng(2) });
  };
  const timing = await timeGpuSteps(make(x, t), timedSteps);
  const count = await countSteps(make(small.xs, small.ts), {
    warmup: 3,
    steps: software ? 3 : 10,
    batch: countBatch,
    lagged: true,
    hostBytes: () => gpu.copies().outBytes,
  });
  return { cell: { ...timing, ...(software ? { software: true } : {}) }, count };
}

/**
 * The six book networks' device counts per step (`BOOK_MODELS`, built by `buildModel` with the
 * book's optimizer): ours at float32 and float16 storage; TF.js's for the three it builds, taken
 * from the step rows where they ran (the same networks), else counted here.
 */
async function bookModelCounts(
  lib: typeof NetworksModule,
  tfjs: Awaited<ReturnType<typeof loadTfjs>>,
  webgpu: OurGpu,
  webgpuF16: OurGpu | undefined,
  tfjsGpu: Awaited<ReturnType<typeof loadTfjsWebGpu>> | undefined,
  stepCounts: readonly StepCountRow[],
): Promise<StepCountRow[]> {
  const software = webgpu.ok && webgpu.software;
  const batch = software ? SOFTWARE_COUNT_BATCH : 100;
  const runs = { warmup: 3, steps: software ? 3 : 10, batch };
  const rows: StepCountRow[] = [];
  for (const model of BOOK_MODELS) {
    const rng = new Rng(1);
    const x = randn([batch, ...model.sample], rng);
    const t = randint([batch], rng, 0, 10);
    const ours = async (gpu: OurGpu | undefined): Promise<StepCounts | { skipped: string }> => {
      if (!gpu) return { skipped: 'not run' };
      if (!gpu.ok) return { skipped: `n/a (${gpu.reason})` };
      const kernels = gpu.kernels;
      // The layers' own Rng at run time (one @dl/tensor source module); the type checker sees it
      // through their package's declarations, hence the cast.
      const net = lib.buildModel(model.spec, { rng: new Rng(3) as unknown as BuildRng, backend: kernels });
      const optimizer =
        model.optimizer === 'sgd'
          ? new lib.SGD({ lr: model.lr, backend: kernels })
          : new lib.Adam({ lr: model.lr, backend: kernels });
      const step = ourGpuStep(net, optimizer, x.to(kernels), t, { train: true, rng: new Rng(2) });
      return countSteps(step, { ...runs, lagged: true, hostBytes: () => kernels.copies().outBytes });
    };
    let tfjsCount: StepCountRow['tfjs'];
    const kind = model.tfjs;
    const fromSteps = kind
      ? stepCounts.find((r) => STEP_WORKLOADS.find((w) => w.name === r.network)?.kind === kind)
      : undefined;
    if (!kind) {
      tfjsCount = { skipped: 'not in tfjs.ts' };
    } else if (fromSteps) {
      tfjsCount = fromSteps.tfjs;
    } else if (!tfjsGpu?.ok || !(await tfjs.use('webgpu'))) {
      tfjsCount = { skipped: `n/a (${tfjsGpu && !tfjsGpu.ok ? tfjsGpu.reason : 'backend failed'})` };
    } else {
      const device = tfjsDevice(tfjs);
      if (device) installGpuCounters(device);
      const counted = await tfjsAsyncTrainer(
        tfjs,
        kind,
        new Float32Array(x.data),
        new Int32Array(t.data),
        model.optimizer,
      );
      tfjsCount =
        'cannot' in counted
          ? { skipped: counted.cannot }
          : await countSteps(counted.step, { ...runs, lagged: false });
      if (!('cannot' in counted)) counted.dispose();
    }
    rows.push({
      network: model.name,
      ours: await ours(webgpu),
      oursF16: await ours(webgpuF16),
      tfjs: tfjsCount,
    });
  }
  return rows;
}

/**
 * The webgpu cells of one network: ours (a step recorded one ahead of its loss), TF.js's webgpu
 * backend (each step ends in `await loss.data()`), and both engines' device counts per step in
 * steady state.
 */
async function webgpuCells(
  workload: StepWorkload,
  x: Tensor,
  t: Tensor,
  lib: typeof NetworksModule,
  tfjs: Awaited<ReturnType<typeof loadTfjs>>,
  webgpu: OurGpu,
  tfjsGpu: Awaited<ReturnType<typeof loadTfjsWebGpu>> | undefined,
  quick: boolean,
): Promise<{ ours: StepCell; tfjsCell: StepCell; count: StepCountRow }> {
  const software = webgpu.ok && webgpu.software;
  const timedSteps = software ? SOFTWARE_STEPS[workload.kind] : stepsCount(workload.steps.wasm, quick);
  const countBatch = software ? SOFTWARE_COUNT_BATCH : 100;
  const countRuns = { warmup: 3, steps: software ? 3 : 10, batch: countBatch };
  // The first rows of the batch, for the counts.
  const small = headOf(x, t, countBatch);
  const { cell: ours, count: oursCount } = await ourGpuCell(workload, x, t, lib, webgpu, quick);
  let tfjsCell: StepCell;
  let tfjsCount: StepCountRow['tfjs'];
  if (!tfjsGpu?.ok || !(await tfjs.use('webgpu'))) {
    const why = `n/a (${tfjsGpu && !tfjsGpu.ok ? tfjsGpu.reason : 'backend failed'})`;
    tfjsCell = { skipped: why };
    tfjsCount = { skipped: why };
  } else {
    const device = tfjsDevice(tfjs);
    if (device) installGpuCounters(device);
    const trainer = await tfjsAsyncTrainer(
      tfjs,
      workload.kind,
      new Float32Array(x.data),
      new Int32Array(t.data),
      workload.optimizer,
    );
    if ('cannot' in trainer) {
      tfjsCell = { skipped: trainer.cannot };
      tfjsCount = { skipped: trainer.cannot };
    } else {
      const timing = await timeAwaitedSteps(trainer.step, timedSteps);
      tfjsCell = { ...timing, firstMs: trainer.firstMs, ...(software ? { software: true } : {}) };
      trainer.dispose();
      const counted = await tfjsAsyncTrainer(
        tfjs,
        workload.kind,
        new Float32Array(small.xs.data),
        new Int32Array(small.ts.data),
        workload.optimizer,
      );
      tfjsCount =
        'cannot' in counted
          ? { skipped: counted.cannot }
          : await countSteps(counted.step, { ...countRuns, lagged: false });
      if (!('cannot' in counted)) counted.dispose();
    }
  }
  return { ours, tfjsCell, count: { network: workload.name, ours: oursCount, tfjs: tfjsCount } };
}
