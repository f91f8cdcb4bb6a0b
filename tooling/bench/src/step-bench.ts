import { convnetjsStep } from './convnetjs.js';
import type { LayerNetwork } from './networks.js';
import { runPython, type NumpyThreads } from './numpy.js';
import { STEP_WORKLOADS, type StepWorkload } from './step-workloads.js';
import { randint, randn, Rng, stepScope, type Kernels } from './tensor.js';
import { loadTfjs, TFJS_BACKENDS, tfjsTrainer } from './tfjs.js';

/** One training step (batch 100): forward, backward and the optimizer's update, as the Trainer runs it. */
type NetInput = Parameters<LayerNetwork['gradient']>[0];
type NetLabels = Parameters<LayerNetwork['gradient']>[1];
type NetContext = Parameters<LayerNetwork['gradient']>[2];

/** The comparison columns after our backends'. */
export const STEP_OTHERS = ['numpy 1T', 'numpy MT', 'tfjs wasm', 'tfjs cpu', 'convnetjs'] as const;

export type StepCell =
  { firstMs: number; medianMs: number; minMs: number; steps: number } | { skipped: string };

export interface StepBenchRow {
  workload: StepWorkload;
  cells: Record<string, StepCell>;
}

export interface StepBenchOptions {
  backends: Readonly<Record<string, Kernels>>;
  quick: boolean;
  numpy: boolean;
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
    const row = { workload, cells };
    rows.push(row);
    onRow?.(row);
  }
  return {
    rows,
    engines: [...Object.keys(backends), ...STEP_OTHERS],
    numpy: `the book's code, float64; 1T: ${single.label}, OPENBLAS_NUM_THREADS=1; MT: ${multi.label}, OpenBLAS default threads`,
    tfjs:
      `TF.js ${tfjs.version} (tfjs-layers models, optimizer.minimize; ${tfjs.wasmNote}); tfjs cpu: ` +
      "one SimpleConvNet step only (full run), DeepConvNet's (~10× the FLOPs) not run",
    convnetjs: `convnetjs ${CONVNETJS_VERSION} (one sample at a time, float64, ${CONVNETJS_METHOD}: npm 0.3.0 has no Adam)`,
  };
}
