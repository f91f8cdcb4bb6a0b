/**
 * The six networks of the book as `dl train --model NAME` builds them with no other flag: the
 * specs and optimizers of apps/trainer's `modelSpec` and `MODEL_DEFAULTS`, restated here (the bench
 * imports no app code) for the webgpu device counts. `buildModel` (@dl/layers) builds each.
 */
import type { ModelSpec } from './networks.js';
import type { TfjsNetworkName } from './tfjs.js';

export interface BookModel {
  /** The `--model` name. */
  name: string;
  spec: ModelSpec;
  /** Input shape of one sample. */
  sample: readonly number[];
  optimizer: 'sgd' | 'adam';
  lr: number;
  /** The same network in tfjs.ts, where TF.js builds it. */
  tfjs?: TfjsNetworkName;
}

const IMAGE = [1, 28, 28] as const;

export const BOOK_MODELS: readonly BookModel[] = [
  {
    name: 'two-layer-net',
    spec: { kind: 'two-layer-net', inputSize: 784, hiddenSize: 50, outputSize: 10, weightInitStd: 0.01 },
    sample: [784],
    optimizer: 'sgd',
    lr: 0.1,
    tfjs: 'two',
  },
  {
    name: 'multi-layer-net',
    spec: {
      kind: 'multi-layer-net',
      inputSize: 784,
      hiddenSizeList: [100, 100, 100, 100],
      outputSize: 10,
      activation: 'relu',
      weightInitStd: 'relu',
      weightDecayLambda: 0,
    },
    sample: [784],
    optimizer: 'sgd',
    lr: 0.01,
  },
  {
    // ch06/batch_norm_test.py: five hidden layers with Batch Normalization, no Dropout.
    name: 'multi-layer-net-extend',
    spec: {
      kind: 'multi-layer-net-extend',
      inputSize: 784,
      hiddenSizeList: [100, 100, 100, 100, 100],
      outputSize: 10,
      activation: 'relu',
      weightInitStd: 'relu',
      weightDecayLambda: 0,
      useBatchnorm: true,
      useDropout: false,
      dropoutRatio: 0.5,
    },
    sample: [784],
    optimizer: 'sgd',
    lr: 0.01,
  },
  {
    name: 'simple-conv-net',
    spec: { kind: 'simple-conv-net', inputDim: IMAGE, hiddenSize: 100, outputSize: 10, weightInitStd: 0.01 },
    sample: IMAGE,
    optimizer: 'adam',
    lr: 0.001,
    tfjs: 'simple',
  },
  {
    name: 'deep-conv-net',
    spec: {
      kind: 'deep-conv-net',
      inputDim: IMAGE,
      hiddenSize: 50,
      outputSize: 10,
      dropoutRatio: 0.5,
      weightInitStd: 'he',
    },
    sample: IMAGE,
    optimizer: 'adam',
    lr: 0.001,
    tfjs: 'deep',
  },
  {
    name: 'lenet',
    spec: { kind: 'lenet', inputDim: IMAGE, outputSize: 10, activation: 'sigmoid', weightInitStd: 'xavier' },
    sample: IMAGE,
    optimizer: 'adam',
    lr: 0.001,
  },
];
