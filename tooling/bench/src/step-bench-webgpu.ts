// The webgpu cells of the steps suite (see step-bench.ts): ours and TF.js's webgpu backend, timed
// and counted per step, and the six book networks' device counts.
import type * as NetworksModule from './networks.js';
import { stepsCount, type StepCell, type StepCountRow } from './step-bench.js';
import { STEP_WORKLOADS, type StepWorkload } from './step-workloads.js';
import { randint, randn, Rng, Tensor } from './tensor.js';
import type { loadTfjs, loadTfjsWebGpu } from './tfjs.js';
import { tfjsAsyncTrainer, tfjsDevice } from './tfjs.js';
import { installGpuCounters } from './gpu-count.js';
import { BOOK_MODELS } from './book-models.js';
import {
  countSteps,
  ourGpuStep,
  timeAwaitedSteps,
  timeGpuSteps,
  type OurGpu,
  type StepCounts,
} from './webgpu.js';

/** Timed steps per network on a software adapter (~0.1-0.3 GFLOP/s: a DeepConvNet step of 100 takes tens of seconds). */
export const SOFTWARE_STEPS = { two: 5, simple: 2, deep: 1 } as const;
/** The batch the device counts are taken at on a software adapter (they do not depend on it). */
export const SOFTWARE_COUNT_BATCH = 8;

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
export async function ourGpuCell(
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
export async function bookModelCounts(
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
export async function webgpuCells(
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
