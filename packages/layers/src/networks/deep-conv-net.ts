import { Rng, type FloatDType, onBackend, type Kernels } from '@dl/tensor';
import { Dropout } from '../layers/dropout.js';
import { Relu } from '../layers/relu.js';
import { SoftmaxWithLoss } from '../layers/softmax-with-loss.js';
import type { WeightInitStd } from '../weight-init.js';
import { LayerNetwork } from './layer-network.js';
import { NetworkBuilder, type ConvParam } from './network-builder.js';
import { rememberSpec } from './network-spec.js';

/** The book's six convolutions: 3×3, stride 1, 16-16-32-32-64-64 filters, pad 1 except conv 4 (pad 2). */
export const DEEP_CONV_NET_PARAMS: readonly ConvParam[] = [
  { filterNum: 16, filterSize: 3, pad: 1, stride: 1 },
  { filterNum: 16, filterSize: 3, pad: 1, stride: 1 },
  { filterNum: 32, filterSize: 3, pad: 1, stride: 1 },
  { filterNum: 32, filterSize: 3, pad: 2, stride: 1 },
  { filterNum: 64, filterSize: 3, pad: 1, stride: 1 },
  { filterNum: 64, filterSize: 3, pad: 1, stride: 1 },
];

export interface DeepConvNetOptions {
  /** Per-sample input `[C, H, W]` (default `[1, 28, 28]`). */
  inputDim?: readonly [number, number, number];
  /** Six convolution settings (default `DEEP_CONV_NET_PARAMS`, the book's `conv_param_1..6`). */
  convParams?: readonly ConvParam[];
  /** Default 50. */
  hiddenSize?: number;
  /** Default 10. */
  outputSize?: number;
  /** Default 0.5 for both Dropout layers. */
  dropoutRatio?: number;
  /** Inverted dropout instead of the book's (see `Dropout`). */
  invertedDropout?: boolean;
  /** Default `'he'`: `sqrt(2 / fan-in)`, the fan-in inferred for each layer. */
  weightInitStd?: WeightInitStd;
  /** Where the initial weights come from (default `new Rng(0)`). */
  rng?: Rng;
  dtype?: FloatDType;
  /** The backend the network runs on for its whole life (default: the process default, `setBackend`). */
  backend?: Kernels | undefined;
}

/**
 * `ch08/deep_convnet.py:DeepConvNet`, the book's 99%+ network: `Conv1` → `Relu1` → `Conv2` → `Relu2`
 * → `Pool1` → `Conv3` → `Relu3` → `Conv4` → `Relu4` → `Pool2` → `Conv5` → `Relu5` → `Conv6` → `Relu6`
 * → `Pool3` → `Affine1` → `Relu7` → `Dropout1` → `Affine2` → `Dropout2` → SoftmaxWithLoss. Pools are
 * max 2×2 stride 2. Parameters `W1`…`W8`, `b1`…`b8` (the book's names). The book writes the He
 * fan-ins by hand (`pre_node_nums`, "TODO: compute automatically"); here they are inferred. As in
 * the book, the second Dropout acts on the logits (test mode scales them by `1 - ratio`).
 */
export class DeepConvNet extends LayerNetwork {
  constructor(options: DeepConvNetOptions = {}) {
    const {
      inputDim = [1, 28, 28],
      convParams = DEEP_CONV_NET_PARAMS,
      hiddenSize = 50,
      outputSize = 10,
      dropoutRatio = 0.5,
      invertedDropout = false,
      weightInitStd = 'he',
      rng = new Rng(0),
      dtype = 'float32',
    } = options;
    if (convParams.length !== 6)
      throw new RangeError(`DeepConvNet: convParams must list 6 convolutions, got ${convParams.length}`);
    const layers = onBackend(options.backend, () => {
      const builder = new NetworkBuilder(inputDim, { rng, dtype });
      convParams.forEach((param, i) => {
        builder.convolution(i + 1, param, weightInitStd).add(`Relu${i + 1}`, new Relu());
        if (i % 2 === 1) builder.pooling((i + 1) / 2, 2, { stride: 2 });
      });
      const dropout = (): Dropout => new Dropout(dropoutRatio, { inverted: invertedDropout });
      builder
        .affine(7, hiddenSize, weightInitStd, 'Affine1')
        .add('Relu7', new Relu())
        .add('Dropout1', dropout())
        .affine(8, outputSize, weightInitStd, 'Affine2')
        .add('Dropout2', dropout());
      return builder.layers();
    });
    super(layers, new SoftmaxWithLoss(), { backend: options.backend });
    const { rng: _rng, dtype: _dtype, backend: _backend, ...spec } = options;
    rememberSpec(this, { kind: 'deep-conv-net', ...spec });
  }
}
