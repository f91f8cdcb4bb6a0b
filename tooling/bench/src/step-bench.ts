import { convnetjsStep } from './convnetjs.js';
import type * as NetworksModule from './networks.js';
import type { LayerNetwork } from './networks.js';
import { runPython, type NumpyThreads } from './numpy.js';
import { randint, randn, Rng, withBackend, type Kernels } from './tensor.js';
import { loadTfjs, TFJS_BACKENDS, tfjsTrainer, type TfjsNetworkName } from './tfjs.js';

/** One training step (batch 100): forward, backward and the optimizer's update, as the Trainer runs it. */
type Networks = typeof NetworksModule;
type NetInput = Parameters<LayerNetwork['gradient']>[0];
type NetLabels = Parameters<LayerNetwork['gradient']>[1];
type NetContext = Parameters<LayerNetwork['gradient']>[2];

export interface StepWorkload {
  name: string;
  /** The network in python/steps.py and in tfjs.ts. */
  kind: TfjsNetworkName;
  /** Input shape of one sample. */
  sample: readonly number[];
  optimizer: 'sgd' | 'adam';
  make: (lib: Networks) => { net: LayerNetwork; update: (net: LayerNetwork) => void };
  /**
   * Steps timed after the warm-up one: on the js backend, on wasm (and NumPy, TF.js wasm), on
   * TF.js's cpu backend (0: the first step only, in the full run), on convnetjs (0: not run).
   */
  steps: { js: number; wasm: number; tfjsCpu: number; convnetjs: number };
  /** Why TF.js's cpu backend is not timed at all. */
  skipTfjsCpu?: string;
  quick: boolean;
}

export const STEP_WORKLOADS: readonly StepWorkload[] = [
  {
    name: 'TwoLayerNet 784-50-10, SGD',
    kind: 'two',
    sample: [784],
    optimizer: 'sgd',
    make: ({ SGD, TwoLayerNet }) => {
      const sgd = new SGD({ lr: 0.1 });
      return { net: new TwoLayerNet(784, 50, 10), update: (net) => sgd.update(net.params()) };
    },
    steps: { js: 30, wasm: 100, tfjsCpu: 30, convnetjs: 0 },
    quick: true,
  },
  {
    name: 'SimpleConvNet, Adam',
    kind: 'simple',
    sample: [1, 28, 28],
    optimizer: 'adam',
    make: ({ Adam, SimpleConvNet }) => {
      const adam = new Adam({ lr: 0.001 });
      return { net: new SimpleConvNet(), update: (net) => adam.update(net.params()) };
    },
    // TF.js's cpu backend takes tens of seconds per step here (its convolution gradients are plain
    // loops; see docs/benchmarks.md): only one step, and only in the full run. DeepConvNet has about
    // ten times the FLOPs: not run.
    steps: { js: 5, wasm: 20, tfjsCpu: 0, convnetjs: 3 },
    quick: true,
  },
  {
    name: 'DeepConvNet, Adam',
    kind: 'deep',
    sample: [1, 28, 28],
    optimizer: 'adam',
    make: ({ Adam, DeepConvNet }) => {
      const adam = new Adam({ lr: 0.001 });
      return { net: new DeepConvNet(), update: (net) => adam.update(net.params()) };
    },
    steps: { js: 2, wasm: 5, tfjsCpu: 0, convnetjs: 1 },
    skipTfjsCpu: 'not run (minutes)',
    quick: false,
  },
];

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
      const { net, update } = workload.make(lib);
      const step = (): void =>
        withBackend(kernels, () => {
          net.gradient(x as unknown as NetInput, t as unknown as NetLabels, ctx);
          update(net);
        });
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
