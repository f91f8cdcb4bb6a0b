/**
 * The book's three networks as the step and memory benches train them: batch 100, the book's optimizer
 * for each (ch05 TwoLayerNet with SGD lr 0.1, ch07 SimpleConvNet and ch08 DeepConvNet with Adam lr
 * 0.001), and how many steps each engine times. Its own module, free of the comparison libraries, so
 * the memory bench's child process loads nothing but ours.
 */
import type * as NetworksModule from './networks.js';
import type { LayerNetwork, Optimizer } from './networks.js';
import type { TfjsNetworkName } from './tfjs.js';
import type { Kernels } from './tensor.js';

type Networks = typeof NetworksModule;

export interface StepWorkload {
  name: string;
  /** The network in python/steps.py and in tfjs.ts. */
  kind: TfjsNetworkName;
  /** Input shape of one sample. */
  sample: readonly number[];
  optimizer: 'sgd' | 'adam';
  /**
   * The network and its optimizer with the book's settings, on `backend` explicitly (its tensors
   * live in that backend's storage, as in `dl train`).
   */
  make: (lib: Networks, backend: Kernels) => { net: LayerNetwork; optimizer: Optimizer };
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
    make: ({ SGD, TwoLayerNet }, backend) => ({
      net: new TwoLayerNet(784, 50, 10, { backend }),
      optimizer: new SGD({ lr: 0.1, backend }),
    }),
    steps: { js: 30, wasm: 100, tfjsCpu: 30, convnetjs: 0 },
    quick: true,
  },
  {
    name: 'SimpleConvNet, Adam',
    kind: 'simple',
    sample: [1, 28, 28],
    optimizer: 'adam',
    make: ({ Adam, SimpleConvNet }, backend) => ({
      net: new SimpleConvNet({ backend }),
      optimizer: new Adam({ lr: 0.001, backend }),
    }),
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
    make: ({ Adam, DeepConvNet }, backend) => ({
      net: new DeepConvNet({ backend }),
      optimizer: new Adam({ lr: 0.001, backend }),
    }),
    steps: { js: 2, wasm: 5, tfjsCpu: 0, convnetjs: 1 },
    skipTfjsCpu: 'not run (minutes)',
    quick: false,
  },
];
