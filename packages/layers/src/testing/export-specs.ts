import { Rng, uniform, type FloatDType } from '@dl/tensor';
import type { FloatTensor } from '../layer.js';
import type { ModelSpec } from '../model-spec/model-spec.js';
import type { LayerNetwork } from '../networks/layer-network.js';
import { specInputShape } from '../model-spec/spec-shapes.js';

// The networks the exporters' tests run through ONNX Runtime and PyTorch.

/** The six book networks (small where their options allow) and a spec with every layer type. */
export const EXPORT_SPECS: Record<string, ModelSpec> = {
  'two-layer-net': { kind: 'two-layer-net', inputSize: 784, hiddenSize: 30, outputSize: 10 },
  'multi-layer-net': {
    kind: 'multi-layer-net',
    inputSize: 784,
    hiddenSizeList: [40, 20],
    outputSize: 10,
    activation: 'sigmoid',
    weightDecayLambda: 0.1,
  },
  'multi-layer-net-extend': {
    kind: 'multi-layer-net-extend',
    inputSize: 784,
    hiddenSizeList: [40, 20],
    outputSize: 10,
    useBatchnorm: true,
    useDropout: true,
    dropoutRatio: 0.3,
  },
  'simple-conv-net': { kind: 'simple-conv-net', convParam: { filterNum: 8, filterSize: 5 }, hiddenSize: 30 },
  'deep-conv-net': { kind: 'deep-conv-net', hiddenSize: 20 },
  lenet: { kind: 'lenet' },
  'lenet (max pooling, ReLU)': { kind: 'lenet', pooling: 'max', activation: 'relu', firstPad: 2 },
  'sequential: BatchNorm both modes, Dropout both forms, padded pooling': {
    kind: 'sequential',
    input: [1, 12, 12],
    layers: [
      { type: 'convolution', filters: 4, size: 3, pad: 1, stride: 1 },
      { type: 'batchnorm' },
      { type: 'relu' },
      { type: 'pooling', size: 3, stride: 2, pad: 1, mode: 'average' },
      { type: 'batchnorm', mode: 'per-channel', eps: 1e-5 },
      { type: 'dropout', ratio: 0.25 },
      { type: 'pooling', size: 2, pad: 1, mode: 'max' },
      { type: 'affine', units: 16 },
      { type: 'batchnorm', mode: 'per-channel' },
      { type: 'sigmoid' },
      { type: 'dropout', ratio: 0.4, inverted: true },
      { type: 'affine', units: 5 },
    ],
  },
};

/** Trained-looking state: BatchNorm's gamma, beta and running statistics away from their initial values. */
export function randomizeBatchNorm(network: LayerNetwork, rng: Rng): void {
  for (const p of network.params()) {
    if (/^(gamma|beta)\d+$/.test(p.name))
      p.value.assign(uniform(p.value.shape, rng, { low: 0.5, high: 1.5, dtype: p.value.dtype }));
  }
  for (const b of network.buffers()) {
    // Variances in [0.5, 1.5), means in [-0.5, 0.5).
    const low = b.name.endsWith('running_var') ? 0.5 : -0.5;
    b.value.assign(uniform(b.value.shape, rng, { low, high: low + 1, dtype: b.value.dtype }));
  }
}

/** `n` seeded inputs in [0, 1) shaped as the spec's network takes them. */
export function exportInputs(spec: ModelSpec, n: number, dtype: FloatDType, seed: number): FloatTensor {
  return uniform([n, ...specInputShape(spec)], new Rng(seed), { dtype });
}
