import { Rng, type FloatDType, onBackend, type Kernels } from '@dl/tensor';
import { Relu } from '../layers/relu.js';
import { SoftmaxWithLoss } from '../layers/softmax-with-loss.js';
import type { WeightInitStd } from '../weight-init.js';
import { LayerNetwork } from './layer-network.js';
import { NetworkBuilder, type ConvParam } from './network-builder.js';
import { rememberSpec } from './network-spec.js';

export interface SimpleConvNetOptions {
  /** Per-sample input `[C, H, W]` (default `[1, 28, 28]`, MNIST). */
  inputDim?: readonly [number, number, number];
  /** Default `{ filterNum: 30, filterSize: 5, pad: 0, stride: 1 }`, the book's. */
  convParam?: ConvParam;
  /** Default 100. */
  hiddenSize?: number;
  /** Default 10. */
  outputSize?: number;
  /** Default 0.01, the book's (a fixed std for every layer); `'he'` scales by each inferred fan-in. */
  weightInitStd?: WeightInitStd;
  /** Where the initial weights come from (default `new Rng(0)`). */
  rng?: Rng;
  dtype?: FloatDType;
  /** The backend the network runs on for its whole life (default: the process default, `setBackend`). */
  backend?: Kernels | undefined;
}

/**
 * `ch07/simple_convnet.py:SimpleConvNet`: `Conv1` → `Relu1` → `Pool1` (max 2×2, stride 2) → `Affine1`
 * → `Relu2` → `Affine2` → SoftmaxWithLoss, parameters `W1`/`b1` (the filters), `W2`/`b2`, `W3`/`b3`.
 * The book computes the pooled size by hand (and so only supports even, square convolution outputs);
 * here every size comes from the layers' `outputShape`, so any input and convolution geometry works.
 */
export class SimpleConvNet extends LayerNetwork {
  constructor(options: SimpleConvNetOptions = {}) {
    const {
      inputDim = [1, 28, 28],
      convParam = { filterNum: 30, filterSize: 5, pad: 0, stride: 1 },
      hiddenSize = 100,
      outputSize = 10,
      weightInitStd = 0.01,
      rng = new Rng(0),
      dtype = 'float32',
    } = options;
    const layers = onBackend(options.backend, () => {
      const builder = new NetworkBuilder(inputDim, { rng, dtype })
        .convolution(1, convParam, weightInitStd)
        .add('Relu1', new Relu())
        .pooling(1, 2, { stride: 2 })
        .affine(2, hiddenSize, weightInitStd, 'Affine1')
        .add('Relu2', new Relu())
        .affine(3, outputSize, weightInitStd, 'Affine2');
      return builder.layers();
    });
    super(layers, new SoftmaxWithLoss(), { backend: options.backend });
    const { rng: _rng, dtype: _dtype, backend: _backend, ...spec } = options;
    rememberSpec(this, { kind: 'simple-conv-net', ...spec });
  }
}
