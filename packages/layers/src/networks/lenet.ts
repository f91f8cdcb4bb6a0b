import { Rng, type FloatDType, onBackend, type Kernels } from '@dl/tensor';
import { Relu } from '../layers/relu.js';
import { Sigmoid } from '../layers/sigmoid.js';
import { SoftmaxWithLoss } from '../layers/softmax-with-loss.js';
import type { Layer } from '../layer.js';
import type { WeightInitStd } from '../weight-init.js';
import { LayerNetwork } from './layer-network.js';
import { NetworkBuilder } from './network-builder.js';
import { rememberSpec } from './network-spec.js';

export interface LeNetOptions {
  /** Per-sample input `[C, H, W]` (default `[1, 28, 28]`: MNIST, padded by 2 to LeNet's 32×32). */
  inputDim?: readonly [number, number, number];
  /** Zero padding of the first convolution (default 2, so 28×28 digits see LeNet's 32×32 field). */
  firstPad?: number;
  /** Default 10. */
  outputSize?: number;
  /** Default 'sigmoid', as in 1998; 'relu' gives the modern variant the book contrasts it with. */
  activation?: 'sigmoid' | 'relu';
  /** Default 'average' (subsampling); 'max' for the modern variant. */
  pooling?: 'average' | 'max';
  /** Default 'xavier' (`sqrt(1 / fan-in)`, suited to sigmoid), fan-ins inferred. */
  weightInitStd?: WeightInitStd;
  /** Where the initial weights come from (default `new Rng(0)`). */
  rng?: Rng;
  dtype?: FloatDType;
  /** The backend the network runs on for its whole life (default: the process default, `setBackend`). */
  backend?: Kernels | undefined;
}

/**
 * LeNet-5 (LeCun et al., 1998) as the book's chapter 7.7 describes it: convolutions and subsampling
 * with sigmoid activations, where today's networks use ReLU and max pooling. `Conv1` (6 filters 5×5)
 * → `Pool1` (average 2×2, stride 2) → `Conv2` (16 filters 5×5) → `Pool2` → `Conv3` (120 filters 5×5,
 * the C5 layer, 1×1 output) → `Affine1` (84, F6) → `Affine2` (outputs) → SoftmaxWithLoss, each
 * convolution and F6 followed by the activation; parameters `W1`…`W5`, `b1`…`b5`. Simplified from
 * the paper: every S4 map sees all 6 C3 maps (no connection table), subsampling has no trainable
 * coefficient or bias, and the RBF output layer is an Affine with softmax.
 */
export class LeNet extends LayerNetwork {
  constructor(options: LeNetOptions = {}) {
    const {
      inputDim = [1, 28, 28],
      firstPad = 2,
      outputSize = 10,
      activation = 'sigmoid',
      pooling = 'average',
      weightInitStd = 'xavier',
      rng = new Rng(0),
      dtype = 'float32',
    } = options;
    const act = (): Layer => (activation === 'relu' ? new Relu() : new Sigmoid());
    const name = activation === 'relu' ? 'Relu' : 'Sigmoid';
    const layers = onBackend(options.backend, () => {
      const builder = new NetworkBuilder(inputDim, { rng, dtype })
        .convolution(1, { filterNum: 6, filterSize: 5, pad: firstPad }, weightInitStd)
        .add(`${name}1`, act())
        .pooling(1, 2, { stride: 2, mode: pooling })
        .convolution(2, { filterNum: 16, filterSize: 5 }, weightInitStd)
        .add(`${name}2`, act())
        .pooling(2, 2, { stride: 2, mode: pooling })
        .convolution(3, { filterNum: 120, filterSize: 5 }, weightInitStd)
        .add(`${name}3`, act())
        .affine(4, 84, weightInitStd, 'Affine1')
        .add(`${name}4`, act())
        .affine(5, outputSize, weightInitStd, 'Affine2');
      return builder.layers();
    });
    super(layers, new SoftmaxWithLoss(), { backend: options.backend });
    const { rng: _rng, dtype: _dtype, backend: _backend, ...spec } = options;
    rememberSpec(this, { kind: 'lenet', ...spec });
  }
}
