import { Rng, onBackend } from '@dl/tensor';
import { Dropout } from '../layers/dropout.js';
import { SoftmaxWithLoss } from '../layers/softmax-with-loss.js';
import { LayerNetwork } from './layer-network.js';
import { activationLayer, type MultiLayerNetOptions } from './multi-layer-net.js';
import { NetworkBuilder } from './network-builder.js';
import { rememberSpec } from './network-spec.js';

export interface MultiLayerNetExtendOptions extends MultiLayerNetOptions {
  /** A BatchNormalization after each hidden Affine (`gamma<k>`, `beta<k>`; default false). */
  useBatchnorm?: boolean;
  /** A Dropout after each hidden activation (default false). */
  useDropout?: boolean;
  /** Dropout ratio (the book's `dropout_ration`, default 0.5). */
  dropoutRatio?: number;
  /** Inverted dropout instead of the book's (see `Dropout`). */
  invertedDropout?: boolean;
}

/**
 * `common/multi_layer_net_extend.py`: MultiLayerNet with optional BatchNorm and Dropout. Each hidden
 * layer is `Affine<k>` → `BatchNorm<k>` → `Activation_function<k>` → `Dropout<k>` (the optional ones
 * only when enabled). Train/test mode comes from the `ForwardContext` of each call; Dropout draws
 * from `ctx.rng`.
 */
export class MultiLayerNetExtend extends LayerNetwork {
  readonly hiddenLayerNum: number;

  constructor(options: MultiLayerNetExtendOptions) {
    const { activation = 'relu', weightInitStd = 'relu', rng = new Rng(0), dtype = 'float32' } = options;
    const { useBatchnorm = false, useDropout = false, dropoutRatio = 0.5, invertedDropout = false } = options;
    const layers = onBackend(options.backend, () => {
      const builder = new NetworkBuilder([options.inputSize], { rng, dtype });
      options.hiddenSizeList.forEach((size, i) => {
        const k = i + 1;
        builder.affine(k, size, weightInitStd);
        if (useBatchnorm) builder.batchNorm(k);
        builder.add(`Activation_function${k}`, activationLayer(activation));
        if (useDropout) builder.add(`Dropout${k}`, new Dropout(dropoutRatio, { inverted: invertedDropout }));
      });
      builder.affine(options.hiddenSizeList.length + 1, options.outputSize, weightInitStd);
      return builder.layers();
    });
    super(layers, new SoftmaxWithLoss(), {
      weightDecayLambda: options.weightDecayLambda ?? 0,
      backend: options.backend,
    });
    const { rng: _rng, dtype: _dtype, backend: _backend, ...spec } = options;
    rememberSpec(this, { kind: 'multi-layer-net-extend', ...spec });
    this.hiddenLayerNum = options.hiddenSizeList.length;
  }
}
