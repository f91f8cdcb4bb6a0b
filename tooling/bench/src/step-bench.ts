import type * as NetworksModule from './networks.js';
import type { LayerNetwork } from './networks.js';
import { randint, randn, Rng, withBackend, type Kernels } from './tensor.js';

/** One training step (batch 100): forward, backward and the optimizer's update, as the Trainer runs it. */
type Networks = typeof NetworksModule;
type NetInput = Parameters<LayerNetwork['gradient']>[0];
type NetLabels = Parameters<LayerNetwork['gradient']>[1];
type NetContext = Parameters<LayerNetwork['gradient']>[2];

export interface StepWorkload {
  name: string;
  /** Input shape of one sample. */
  sample: readonly number[];
  make: (lib: Networks) => { net: LayerNetwork; update: (net: LayerNetwork) => void };
  /** Steps timed after the warm-up one, on the js backend (seconds per step) and on wasm. */
  steps: { js: number; wasm: number };
  quick: boolean;
}

export const STEP_WORKLOADS: readonly StepWorkload[] = [
  {
    name: 'TwoLayerNet 784-50-10, SGD',
    sample: [784],
    make: ({ SGD, TwoLayerNet }) => {
      const sgd = new SGD({ lr: 0.1 });
      return { net: new TwoLayerNet(784, 50, 10), update: (net) => sgd.update(net.params()) };
    },
    steps: { js: 30, wasm: 100 },
    quick: true,
  },
  {
    name: 'SimpleConvNet, Adam',
    sample: [1, 28, 28],
    make: ({ Adam, SimpleConvNet }) => {
      const adam = new Adam({ lr: 0.001 });
      return { net: new SimpleConvNet(), update: (net) => adam.update(net.params()) };
    },
    steps: { js: 5, wasm: 20 },
    quick: true,
  },
  {
    name: 'DeepConvNet, Adam',
    sample: [1, 28, 28],
    make: ({ Adam, DeepConvNet }) => {
      const adam = new Adam({ lr: 0.001 });
      return { net: new DeepConvNet(), update: (net) => adam.update(net.params()) };
    },
    steps: { js: 2, wasm: 5 },
    quick: false,
  },
];

export type StepCell =
  { firstMs: number; medianMs: number; minMs: number; steps: number } | { skipped: string };

export interface StepBenchRow {
  workload: StepWorkload;
  cells: Record<string, StepCell>;
}

/**
 * Times each network's training step on each backend: the first step apart, then the median. The
 * layers are imported here, not at load: they need the `source` condition main.ts runs node with.
 */
export async function runStepBench(
  backends: Readonly<Record<string, Kernels>>,
  quick: boolean,
  onRow?: (row: StepBenchRow) => void,
): Promise<StepBenchRow[]> {
  const lib = await import('./networks.js');
  const rows: StepBenchRow[] = [];
  for (const workload of STEP_WORKLOADS.filter((w) => !quick || w.quick)) {
    const cells: Record<string, StepCell> = {};
    for (const [engine, kernels] of Object.entries(backends)) {
      const rng = new Rng(1);
      // At run time these are the layers' own Tensor class (one @dl/tensor source module); the type
      // checker sees @dl/tensor's declarations through the layers' package, hence the casts.
      const x = randn([100, ...workload.sample], rng) as unknown as NetInput;
      const t = randint([100], rng, 0, 10) as unknown as NetLabels;
      const ctx = { train: true, rng } as unknown as NetContext;
      const { net, update } = workload.make(lib);
      const step = (): number =>
        withBackend(kernels, () => {
          const start = performance.now();
          net.gradient(x, t, ctx);
          update(net);
          return performance.now() - start;
        });
      const firstMs = step();
      const count = Math.max(
        1,
        Math.ceil((engine === 'js' ? workload.steps.js : workload.steps.wasm) / (quick ? 4 : 1)),
      );
      const times = Array.from({ length: count }, step).sort((a, b) => a - b);
      cells[engine] = { firstMs, medianMs: times[times.length >> 1]!, minMs: times[0]!, steps: count };
    }
    const row = { workload, cells };
    rows.push(row);
    onRow?.(row);
  }
  return rows;
}
