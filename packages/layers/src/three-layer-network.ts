import { add, dot, tensor, type FloatDType, type Tensor } from '@dl/tensor';
import { identity, sigmoid } from './activations.js';

/** The weights of chapter 3's hand-made three-layer network (`ch03` `init_network`). */
export interface ThreeLayerNetwork<D extends FloatDType = FloatDType> {
  W1: Tensor<D>;
  b1: Tensor<D>;
  W2: Tensor<D>;
  b2: Tensor<D>;
  W3: Tensor<D>;
  b3: Tensor<D>;
}

/** The book's fixed weights: 2 inputs, hidden layers of 3 and 2, 2 outputs. */
export function initNetwork<D extends FloatDType = 'float64'>(dtype?: D): ThreeLayerNetwork<D> {
  const dt = (dtype ?? 'float64') as D;
  return {
    W1: tensor(
      [
        [0.1, 0.3, 0.5],
        [0.2, 0.4, 0.6],
      ],
      dt,
    ),
    b1: tensor([0.1, 0.2, 0.3], dt),
    W2: tensor(
      [
        [0.1, 0.4],
        [0.2, 0.5],
        [0.3, 0.6],
      ],
      dt,
    ),
    b2: tensor([0.1, 0.2], dt),
    W3: tensor(
      [
        [0.1, 0.3],
        [0.2, 0.4],
      ],
      dt,
    ),
    b3: tensor([0.1, 0.2], dt),
  };
}

/**
 * The book's `forward(network, x)`: two sigmoid layers and an identity output. `x` is one sample
 * (1-D) or a batch (2-D); `forwardNetwork(initNetwork(), tensor([1.0, 0.5]))` gives `[0.3168..., 0.6962...]`.
 */
export function forwardNetwork<D extends FloatDType>(network: ThreeLayerNetwork<D>, x: Tensor<D>): Tensor<D> {
  const { W1, b1, W2, b2, W3, b3 } = network;
  const z1 = sigmoid(add(dot(x, W1), b1));
  const z2 = sigmoid(add(dot(z1, W2), b2));
  return identity(add(dot(z2, W3), b3));
}
