import { Rng, type FloatDType, onBackend, type Kernels } from '@dl/tensor';
import { Relu } from '../layers/relu.js';
import { SoftmaxWithLoss } from '../layers/softmax-with-loss.js';
import type { WeightInitStd } from '../weight-init.js';
import { LayerNetwork } from './layer-network.js';
import { NetworkBuilder } from './network-builder.js';
import { rememberSpec } from './network-spec.js';

export interface TwoLayerNetOptions {
  /** Standard deviation of the initial weights, or a scheme (default 0.01, the book's). */
  weightInitStd?: WeightInitStd;
  /** Where the initial weights come from (default `new Rng(0)`: the same network every time). */
  rng?: Rng;
  dtype?: FloatDType;
  /** The backend the network runs on for its whole life (default: the process default, `setBackend`). */
  backend?: Kernels | undefined;
}

/**
 * The two-layer network of chapters 4 and 5 (`ch05/two_layer_net.py`): Affine1 → Relu1 → Affine2 →
 * SoftmaxWithLoss, parameters `W1`, `b1`, `W2`, `b2`. `gradient` is backprop, `numericalGradient` the
 * chapter-4 way (slow; for checking).
 */
export class TwoLayerNet extends LayerNetwork {
  constructor(inputSize: number, hiddenSize: number, outputSize: number, options: TwoLayerNetOptions = {}) {
    const { weightInitStd = 0.01, rng = new Rng(0), dtype = 'float32' } = options;
    const layers = onBackend(options.backend, () => {
      const builder = new NetworkBuilder([inputSize], { rng, dtype })
        .affine(1, hiddenSize, weightInitStd)
        .add('Relu1', new Relu())
        .affine(2, outputSize, weightInitStd);
      return builder.layers();
    });
    super(layers, new SoftmaxWithLoss(), { backend: options.backend });
    rememberSpec(this, { kind: 'two-layer-net', inputSize, hiddenSize, outputSize, weightInitStd });
  }
}
