/**
 * @dl/layers — chapters 2 to 6 of *Deep Learning from Scratch*: perceptron gates, activation and
 * loss functions, layers with forward/backward (`Affine`, `Relu`, `SoftmaxWithLoss`,
 * `BatchNormalization`, `Dropout`, ...) and the book's networks built from them.
 */
export type { FloatTensor, ForwardContext, Layer, LossLayer, Model, NamedTensor, Param } from './layer.js';
export { AND, NAND, OR, XOR, Perceptron } from './perceptron.js';
export { identity, relu, sigmoid, softmax, stepFunction, tanh } from './activations.js';
export { CROSS_ENTROPY_DELTA, crossEntropyError, meanSquaredError, sumSquaredError } from './losses.js';
export { forwardNetwork, initNetwork, type ThreeLayerNetwork } from './three-layer-network.js';
export { weightInitScale, type WeightInitStd } from './weight-init.js';
export { MulLayer } from './layers/mul-layer.js';
export { AddLayer } from './layers/add-layer.js';
export { Relu } from './layers/relu.js';
export { Sigmoid } from './layers/sigmoid.js';
export { Affine, type AffineNames } from './layers/affine.js';
export { SoftmaxWithLoss } from './layers/softmax-with-loss.js';
export { BatchNormalization, type BatchNormalizationOptions } from './layers/batch-normalization.js';
export { Dropout, type DropoutOptions } from './layers/dropout.js';
export { LayerNetwork, type LayerNetworkOptions } from './networks/layer-network.js';
export { NetworkBuilder } from './networks/network-builder.js';
export { TwoLayerNet, type TwoLayerNetOptions } from './networks/two-layer-net.js';
export {
  MultiLayerNet,
  activationLayer,
  type Activation,
  type MultiLayerNetOptions,
} from './networks/multi-layer-net.js';
export { MultiLayerNetExtend, type MultiLayerNetExtendOptions } from './networks/multi-layer-net-extend.js';
