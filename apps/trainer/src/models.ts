import {
  MODEL_KINDS,
  buildModel,
  type Activation,
  type LayerNetwork,
  type ModelKind,
  type ModelSpec,
  type WeightInitStd,
} from '@dl/layers';
import type { FloatDType, Kernels, Rng } from '@dl/tensor';
import type { OptimizerName } from '@dl/optim';

/** The book's networks, by `--model` name: the spec kinds of `@dl/layers` but `sequential` (that is `--spec`). */
export type ModelName = Exclude<ModelKind, 'sequential'>;
export const MODEL_NAMES: readonly ModelName[] = MODEL_KINDS.filter(
  (k): k is ModelName => k !== 'sequential',
);

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

/** What `--model NAME` and the network flags say about the network (fields of `TrainSettings`). */
export interface BookNetworkSettings {
  model: ModelName;
  hidden: readonly number[];
  /** Hidden activation of the multi-layer nets and LeNet (default: relu; LeNet sigmoid). */
  activation?: Activation | undefined;
  /** `null`/`undefined`: the model's own default. */
  init: InitName | null | undefined;
  weightDecay: number;
  batchNorm: boolean;
  dropout: number;
}

/** Classes of MNIST-format data sets (the digits, Fashion-MNIST): every `--model` network's output size. */
const CLASSES = 10;

function weightInit(init: InitName | null | undefined, fallback: number | 'relu'): WeightInitStd {
  if (init === undefined || init === null) return fallback;
  return init === 'std' ? 0.01 : init;
}

/**
 * The spec of the named network of the book for samples of `inputShape` (`[784]`, or `[C, H, W]` for
 * the convolutional networks): the one place `--model` flags become a network description, which
 * runs, checkpoints and `--resume` then carry. The multi-layer nets default to He initialisation,
 * TwoLayerNet to std 0.01, as in the book.
 */
export function modelSpec(s: BookNetworkSettings, inputShape: readonly number[]): ModelSpec {
  const inputSize = inputShape.reduce((a, b) => a * b, 1);
  const outputSize = CLASSES;
  const init = s.init ?? undefined;
  switch (s.model) {
    case 'two-layer-net':
      return {
        kind: 'two-layer-net',
        inputSize,
        hiddenSize: s.hidden[0] ?? 50,
        outputSize,
        weightInitStd: weightInit(init, 0.01),
      };
    case 'multi-layer-net':
      return {
        kind: 'multi-layer-net',
        inputSize,
        hiddenSizeList: [...s.hidden],
        outputSize,
        activation: s.activation ?? 'relu',
        weightInitStd: weightInit(init, 'relu'),
        weightDecayLambda: s.weightDecay,
      };
    case 'multi-layer-net-extend':
      return {
        kind: 'multi-layer-net-extend',
        inputSize,
        hiddenSizeList: [...s.hidden],
        outputSize,
        activation: s.activation ?? 'relu',
        weightInitStd: weightInit(init, 'relu'),
        weightDecayLambda: s.weightDecay,
        useBatchnorm: s.batchNorm,
        useDropout: s.dropout > 0,
        dropoutRatio: s.dropout > 0 ? s.dropout : 0.5,
      };
    case 'simple-conv-net':
      return {
        kind: 'simple-conv-net',
        inputDim: imageShape(inputShape),
        hiddenSize: s.hidden[0] ?? 100,
        outputSize,
        weightInitStd: weightInit(init, 0.01),
      };
    case 'deep-conv-net':
      return {
        kind: 'deep-conv-net',
        inputDim: imageShape(inputShape),
        hiddenSize: s.hidden[0] ?? 50,
        outputSize,
        dropoutRatio: s.dropout > 0 ? s.dropout : 0.5,
        weightInitStd: init === undefined ? 'he' : weightInit(init, 'relu'),
      };
    case 'lenet':
      return {
        kind: 'lenet',
        inputDim: imageShape(inputShape),
        outputSize,
        activation: s.activation ?? 'sigmoid',
        weightInitStd: init === undefined ? 'xavier' : weightInit(init, 0.01),
      };
  }
}

function imageShape(shape: readonly number[]): readonly [number, number, number] {
  if (shape.length !== 3)
    throw new RangeError(`a convolutional network needs [C, H, W] images, got [${shape.join(',')}]`);
  return [shape[0]!, shape[1]!, shape[2]!];
}

/**
 * Builds the named network of the book for samples of `inputShape`, weights drawn from `rng`:
 * `modelSpec` then `@dl/layers`' `buildModel` (the one builder of networks).
 */
export function buildBookNetwork(
  s: BookNetworkSettings,
  inputShape: readonly number[],
  options: { rng: Rng; dtype?: FloatDType; backend?: Kernels | undefined },
): LayerNetwork {
  const { rng, dtype = 'float32', backend } = options;
  return buildModel(modelSpec(s, inputShape), { rng, dtype, backend });
}
