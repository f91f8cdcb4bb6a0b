import { MultiLayerNet, MultiLayerNetExtend, TwoLayerNet, type LayerNetwork } from '@dl/layers';
import type { Rng } from '@dl/tensor';
import type { OptimizerName } from '@dl/optim';

export const MODEL_NAMES = ['two-layer-net', 'multi-layer-net', 'multi-layer-net-extend'] as const;
export type ModelName = (typeof MODEL_NAMES)[number];

export type InitName = 'std' | 'xavier' | 'he';

/** What `dl train --model NAME` does when no other flag is given: the book's own settings. */
export interface ModelDefaults {
  optimizer: OptimizerName;
  lr: number;
  batchSize: number;
  length: { iterations: number } | { epochs: number };
  hidden: number[];
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
};

export interface ModelSettings {
  model: ModelName;
  inputSize: number;
  outputSize: number;
  hidden: number[];
  init: InitName | undefined;
  weightDecay: number;
  batchNorm: boolean;
  dropout: number;
  rng: Rng;
}

function weightInit(
  init: InitName | undefined,
  fallback: number | 'relu',
): number | 'xavier' | 'he' | 'relu' {
  if (init === undefined) return fallback;
  return init === 'std' ? 0.01 : init;
}

/** Builds the named network of the book with inferred shapes. */
export function buildModel(s: ModelSettings): LayerNetwork {
  switch (s.model) {
    case 'two-layer-net':
      return new TwoLayerNet(s.inputSize, s.hidden[0] ?? 50, s.outputSize, {
        weightInitStd: weightInit(s.init, 0.01),
        rng: s.rng,
      });
    case 'multi-layer-net':
      return new MultiLayerNet({
        inputSize: s.inputSize,
        hiddenSizeList: s.hidden,
        outputSize: s.outputSize,
        weightInitStd: weightInit(s.init, 'relu'),
        weightDecayLambda: s.weightDecay,
        rng: s.rng,
      });
    case 'multi-layer-net-extend':
      return new MultiLayerNetExtend({
        inputSize: s.inputSize,
        hiddenSizeList: s.hidden,
        outputSize: s.outputSize,
        weightInitStd: weightInit(s.init, 'relu'),
        weightDecayLambda: s.weightDecay,
        useBatchnorm: s.batchNorm,
        useDropout: s.dropout > 0,
        dropoutRatio: s.dropout > 0 ? s.dropout : 0.5,
        rng: s.rng,
      });
  }
}
