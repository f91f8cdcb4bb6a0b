import type { ModelSpec } from '@dl/layers';

/** How a shipped model was trained (scripts/train-shipped-model.ts). */
export interface ShippedTraining {
  optimizer: 'sgd' | 'momentum' | 'adam';
  lr: number;
  batchSize: number;
  epochs: number;
  seed: number;
}

export interface ShippedModel {
  /** Path relative to the site root. */
  file: string;
  label: string;
  spec: ModelSpec;
  training: ShippedTraining;
}

export type ShippedModelName = 'two-layer-net' | 'simple-conv-net' | 'deep-conv-net';

/**
 * The models the app ships with, written by `scripts/train-shipped-model.ts` and committed:
 * the book's TwoLayerNet, and a SimpleConvNet with the book's 30 filters of 5×5 but a hidden layer
 * of 16 instead of 100 (the filters are what the convolution page shows; 16 keeps the file small),
 * and the book's DeepConvNet (chapter 8) as `ch08/train_deepnet.py` builds it, trained for 5 epochs
 * instead of the book's 20 (the deep-learning page states the accuracy it reached).
 */
export const SHIPPED_MODELS: { readonly [N in ShippedModelName]: ShippedModel } = {
  'two-layer-net': {
    file: 'models/two-layer-net.safetensors',
    label: 'shipped TwoLayerNet 784-50-10',
    spec: { kind: 'two-layer-net', inputSize: 784, hiddenSize: 50, outputSize: 10 },
    training: { optimizer: 'momentum', lr: 0.1, batchSize: 100, epochs: 6, seed: 0 },
  },
  'simple-conv-net': {
    file: 'models/simple-conv-net.safetensors',
    label: 'shipped SimpleConvNet (30 filters 5×5, hidden 16)',
    spec: {
      kind: 'simple-conv-net',
      inputDim: [1, 28, 28],
      convParam: { filterNum: 30, filterSize: 5, pad: 0, stride: 1 },
      hiddenSize: 16,
      outputSize: 10,
      weightInitStd: 'he',
    },
    training: { optimizer: 'adam', lr: 0.001, batchSize: 100, epochs: 3, seed: 0 },
  },
  'deep-conv-net': {
    file: 'models/deep-conv-net.safetensors',
    label: 'shipped DeepConvNet (6 convolutions, hidden 50)',
    spec: {
      kind: 'deep-conv-net',
      inputDim: [1, 28, 28],
      hiddenSize: 50,
      outputSize: 10,
      dropoutRatio: 0.5,
      weightInitStd: 'he',
    },
    training: { optimizer: 'adam', lr: 0.001, batchSize: 100, epochs: 5, seed: 0 },
  },
};

/** The TwoLayerNet the draw page uses by default. */
export const SHIPPED_MODEL_FILE = SHIPPED_MODELS['two-layer-net'].file;
