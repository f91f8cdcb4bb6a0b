import { Rng, type FloatDType, onBackend, type Kernels } from '@dl/tensor';
import type { Layer } from '../layer.js';
import { Relu } from '../layers/relu.js';
import { Sigmoid } from '../layers/sigmoid.js';
import { SoftmaxWithLoss } from '../layers/softmax-with-loss.js';
import type { WeightInitStd } from '../weight-init.js';
import { LayerNetwork } from './layer-network.js';
import { NetworkBuilder } from './network-builder.js';
import { rememberSpec } from './network-spec.js';

export type Activation = 'relu' | 'sigmoid';

export interface MultiLayerNetOptions {
  inputSize: number;
  /** Units of each hidden layer, e.g. `[100, 100, 100]`. */
  hiddenSizeList: readonly number[];
  outputSize: number;
  /** Hidden activation (default `'relu'`). */
  activation?: Activation;
  /** Initial weight scale (default `'relu'`, i.e. He, as the book's). */
  weightInitStd?: WeightInitStd;
  /** L2 weight decay λ over every `W`, the last layer's included (default 0). */
  weightDecayLambda?: number;
  /** Where the initial weights come from (default `new Rng(0)`). */
  rng?: Rng;
  dtype?: FloatDType;
  /** The backend the network runs on for its whole life (default: the process default, `setBackend`). */
  backend?: Kernels | undefined;
}

export function activationLayer(activation: Activation): Layer {
  switch (activation) {
    case 'relu':
      return new Relu();
    case 'sigmoid':
      return new Sigmoid();
  }
  throw new RangeError(`activation must be 'relu' or 'sigmoid', got '${String(activation)}'`);
}

/**
 * The fully connected network of chapter 6 (`common/multi_layer_net.py`): for each hidden layer
 * `Affine<k>` → `Activation_function<k>`, then a last `Affine` and SoftmaxWithLoss. Parameters
 * `W1`, `b1`, ..., `W<L>`, `b<L>` with L = hidden layers + 1.
 */
export class MultiLayerNet extends LayerNetwork {
  readonly hiddenLayerNum: number;

  constructor(options: MultiLayerNetOptions) {
    const { activation = 'relu', weightInitStd = 'relu', rng = new Rng(0), dtype = 'float32' } = options;
    const layers = onBackend(options.backend, () => {
      const builder = new NetworkBuilder([options.inputSize], { rng, dtype });
      options.hiddenSizeList.forEach((size, i) => {
        builder
          .affine(i + 1, size, weightInitStd)
          .add(`Activation_function${i + 1}`, activationLayer(activation));
      });
      builder.affine(options.hiddenSizeList.length + 1, options.outputSize, weightInitStd);
      return builder.layers();
    });
    super(layers, new SoftmaxWithLoss(), {
      weightDecayLambda: options.weightDecayLambda ?? 0,
      backend: options.backend,
    });
    const { rng: _rng, dtype: _dtype, backend: _backend, ...spec } = options;
    rememberSpec(this, { kind: 'multi-layer-net', ...spec });
    this.hiddenLayerNum = options.hiddenSizeList.length;
  }
}
