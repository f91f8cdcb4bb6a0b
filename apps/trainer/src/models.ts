import {
  buildModel as buildFromSpec,
  type Activation,
  type LayerNetwork,
  type ModelSpec,
  type WeightInitStd,
} from '@dl/layers';
import type { FloatDType, Rng } from '@dl/tensor';
import type { OptimizerName } from '@dl/optim';

export const MODEL_NAMES = [
  'two-layer-net',
  'multi-layer-net',
  'multi-layer-net-extend',
  'simple-conv-net',
  'deep-conv-net',
  'lenet',
] as const;
export type ModelName = (typeof MODEL_NAMES)[number];

/** The convolutional networks take images `[C, H, W]`; the others flat vectors. */
export const CONV_MODELS: readonly ModelName[] = ['simple-conv-net', 'deep-conv-net', 'lenet'];
export const isConvModel = (m: string): boolean => (CONV_MODELS as readonly string[]).includes(m);
export type InitName = 'std' | 'xavier' | 'he';

/** What `dl train --model NAME` does when no other flag is given: the book's own settings. */
export interface ModelDefaults {
  optimizer: OptimizerName;
  lr: number;
  batchSize: number;
  length: { iterations: number } | { epochs: number };
  hidden: number[];
  /** Per-epoch accuracies on this many images of each set (the book's evaluate_sample_num_per_epoch). */
  evalSamples?: number;
  /** Where the book's settings come from. */
  book: string;
}

export const MODEL_DEFAULTS: { readonly [K in ModelName]: ModelDefaults } = {
  'two-layer-net': {
    optimizer: 'sgd',
    lr: 0.1,
    batchSize: 100,
    length: { iterations: 10_000 },
    hidden: [50],
    book: 'ch05/train_neuralnet.py',
  },
  'multi-layer-net': {
    optimizer: 'sgd',
    lr: 0.01,
    batchSize: 128,
    length: { iterations: 2000 },
    hidden: [100, 100, 100, 100],
    book: 'ch06/optimizer_compare_mnist.py',
  },
  'multi-layer-net-extend': {
    optimizer: 'sgd',
    lr: 0.01,
    batchSize: 100,
    length: { epochs: 20 },
    hidden: [100, 100, 100, 100, 100],
    book: 'ch06/batch_norm_test.py (with Batch Normalization)',
  },
  'simple-conv-net': {
    optimizer: 'adam',
    lr: 0.001,
    batchSize: 100,
    length: { epochs: 20 },
    hidden: [100],
    evalSamples: 1000,
    book: 'ch07/train_convnet.py',
  },
  'deep-conv-net': {
    optimizer: 'adam',
    lr: 0.001,
    batchSize: 100,
    length: { epochs: 20 },
    hidden: [50],
    evalSamples: 1000,
    book: 'ch08/train_deepnet.py',
  },
  lenet: {
    optimizer: 'adam',
    lr: 0.001,
    batchSize: 100,
    length: { epochs: 20 },
    hidden: [],
    evalSamples: 1000,
    book: "not in the book's code (7.7 describes it); SimpleConvNet's training settings",
  },
};

export interface ModelSettings {
  model: ModelName;
  /** Per-sample input shape: `[784]`, or `[C, H, W]` for the convolutional networks. */
  inputShape: readonly number[];
  inputSize: number;
  outputSize: number;
  hidden: number[];
  /** Hidden activation of the multi-layer nets (default relu). */
  activation?: Activation;
  init: InitName | undefined;
  weightDecay: number;
  batchNorm: boolean;
  dropout: number;
}

function weightInit(init: InitName | undefined, fallback: number | 'relu'): WeightInitStd {
  if (init === undefined) return fallback;
  return init === 'std' ? 0.01 : init;
}

/**
 * The spec of the named network of the book (what checkpoints store, so a file rebuilds its own
 * network). The multi-layer nets default to He initialisation, TwoLayerNet to std 0.01, as in the book.
 */
export function modelSpec(s: ModelSettings): ModelSpec {
  switch (s.model) {
    case 'two-layer-net':
      return {
        kind: 'two-layer-net',
        inputSize: s.inputSize,
        hiddenSize: s.hidden[0] ?? 50,
        outputSize: s.outputSize,
        weightInitStd: weightInit(s.init, 0.01),
      };
    case 'multi-layer-net':
      return {
        kind: 'multi-layer-net',
        inputSize: s.inputSize,
        hiddenSizeList: s.hidden,
        outputSize: s.outputSize,
        activation: s.activation ?? 'relu',
        weightInitStd: weightInit(s.init, 'relu'),
        weightDecayLambda: s.weightDecay,
      };
    case 'multi-layer-net-extend':
      return {
        kind: 'multi-layer-net-extend',
        inputSize: s.inputSize,
        hiddenSizeList: s.hidden,
        outputSize: s.outputSize,
        activation: s.activation ?? 'relu',
        weightInitStd: weightInit(s.init, 'relu'),
        weightDecayLambda: s.weightDecay,
        useBatchnorm: s.batchNorm,
        useDropout: s.dropout > 0,
        dropoutRatio: s.dropout > 0 ? s.dropout : 0.5,
      };
    case 'simple-conv-net':
      return {
        kind: 'simple-conv-net',
        inputDim: imageShape(s.inputShape),
        hiddenSize: s.hidden[0] ?? 100,
        outputSize: s.outputSize,
        weightInitStd: weightInit(s.init, 0.01),
      };
    case 'deep-conv-net':
      return {
        kind: 'deep-conv-net',
        inputDim: imageShape(s.inputShape),
        hiddenSize: s.hidden[0] ?? 50,
        outputSize: s.outputSize,
        dropoutRatio: s.dropout > 0 ? s.dropout : 0.5,
        weightInitStd: s.init === undefined ? 'he' : weightInit(s.init, 'relu'),
      };
    case 'lenet':
      return {
        kind: 'lenet',
        inputDim: imageShape(s.inputShape),
        outputSize: s.outputSize,
        activation: s.activation ?? 'sigmoid',
        weightInitStd: s.init === undefined ? 'xavier' : weightInit(s.init, 0.01),
      };
  }
}

function imageShape(shape: readonly number[]): readonly [number, number, number] {
  if (shape.length !== 3)
    throw new RangeError(`a convolutional network needs [C, H, W] images, got [${shape.join(',')}]`);
  return [shape[0]!, shape[1]!, shape[2]!];
}

/** Builds the named network of the book with inferred shapes, weights drawn from `rng`. */
export function buildModel(s: ModelSettings & { rng: Rng; dtype?: FloatDType }): LayerNetwork {
  return buildFromSpec(modelSpec(s), { rng: s.rng, dtype: s.dtype ?? 'float32' });
}
