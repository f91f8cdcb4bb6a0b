import { relu, sigmoid, tanh, weightInitScale, type WeightInitStd } from '@dl/layers';
import { matmul, randn, type Rng, type Tensor } from '@dl/tensor';

export type HiddenActivation = 'sigmoid' | 'tanh' | 'relu';

/** The initial weight scales the page compares: the book's 1 and 0.01, Xavier and He. */
export type InitChoice = 'std-1' | 'std-0.01' | 'xavier' | 'he';

export const INIT_CHOICES: readonly { value: InitChoice; label: string }[] = [
  { value: 'std-1', label: 'std 1' },
  { value: 'std-0.01', label: 'std 0.01' },
  { value: 'xavier', label: 'Xavier: √(1/n)' },
  { value: 'he', label: 'He: √(2/n)' },
];

export function initStd(choice: InitChoice): WeightInitStd {
  switch (choice) {
    case 'std-1':
      return 1;
    case 'std-0.01':
      return 0.01;
    case 'xavier':
      return 'xavier';
    case 'he':
      return 'he';
  }
}

export interface ExperimentOptions {
  activation: HiddenActivation;
  init: InitChoice;
  rng: Rng;
  /** Rows of the random input (the book's 1000). */
  samples?: number;
  /** Units per layer (the book's 100). */
  nodes?: number;
  /** Hidden layers (the book's 5). */
  layers?: number;
}

const ACTIVATE: Readonly<Record<HiddenActivation, (x: Tensor<'float32'>) => Tensor<'float32'>>> = {
  sigmoid: (x) => sigmoid(x),
  tanh: (x) => tanh(x),
  relu: (x) => relu(x),
};

/**
 * The book's `ch06/weight_init_activation_histogram.py`: a standard-normal input of `samples × nodes`
 * goes through `layers` fully connected layers (no bias) with weights `randn · scale`, and the
 * activations of each layer are returned for histograms.
 */
export function layerActivations(options: ExperimentOptions): Float32Array[] {
  const { activation, init, rng, samples = 1000, nodes = 100, layers = 5 } = options;
  const scale = weightInitScale(initStd(init), nodes);
  let x: Tensor<'float32'> = randn([samples, nodes], rng);
  const out: Float32Array[] = [];
  for (let i = 0; i < layers; i++) {
    const w = randn([nodes, nodes], rng, { std: scale });
    x = ACTIVATE[activation](matmul(x, w));
    out.push(x.data);
  }
  return out;
}

/** The histogram range that shows each activation's outputs: (0, 1) as the book, (-1, 1) for tanh. */
export function histogramRange(activation: HiddenActivation): [number, number] {
  return activation === 'tanh' ? [-1, 1] : [0, 1];
}

export type ActivationHealth = 'collapsed' | 'saturated' | 'spread';

/**
 * How a layer's activations look: `collapsed` when they hardly differ (std < 0.05: the units all
 * compute the same thing), `saturated` when most sit where sigmoid or tanh is flat (|slope| ≈ 0,
 * so gradients vanish), `spread` otherwise.
 */
export function activationHealth(values: ArrayLike<number>, activation: HiddenActivation): ActivationHealth {
  const n = values.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[i]!;
  const mean = sum / n;
  let sq = 0;
  let flat = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    sq += (v - mean) ** 2;
    if (activation === 'sigmoid' && (v < 0.02 || v > 0.98)) flat++;
    if (activation === 'tanh' && Math.abs(v) > 0.96) flat++;
  }
  if (Math.sqrt(sq / n) < 0.05) return 'collapsed';
  return flat > n / 2 ? 'saturated' : 'spread';
}
