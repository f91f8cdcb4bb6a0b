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
export {
  readSafetensors,
  writeSafetensors,
  type SafetensorsContents,
  type TensorEntries,
} from './io/safetensors.js';
export {
  SafetensorsError,
  isHalfTensor,
  type HalfDType,
  type HalfTensor,
  type SafetensorsDType,
  type StoredTensor,
} from './io/safetensors-types.js';
export {
  parseSafetensorsHeader,
  type SafetensorsHeader,
  type SafetensorsHeaderEntry,
} from './io/safetensors-header.js';
export {
  hostCopy,
  loadModel,
  saveModel,
  type LoadedModel,
  type OptimizerTensors,
  type SaveModelOptions,
} from './io/save-load.js';
export { MODEL_FORMAT, MODEL_FORMAT_VERSION, ModelFileError } from './io/model-metadata.js';
export type {
  AffineSpec,
  BatchNormSpec,
  DropoutSpec,
  LayerSpec,
  LayerType,
  ModelKind,
  ModelSpec,
  MultiLayerNetExtendSpec,
  MultiLayerNetSpec,
  ReluSpec,
  SequentialSpec,
  SigmoidSpec,
  TwoLayerNetSpec,
} from './model-spec/model-spec.js';
export { LAYER_TYPES, MODEL_KINDS } from './model-spec/model-spec.js';
export { ModelSpecError, parseModelSpec } from './model-spec/validate-spec.js';
export { buildModel, specOf, type BuildModelOptions } from './model-spec/build-model.js';
export { Convolution, type ConvolutionOptions } from './layers/convolution.js';
export { Pooling, type PoolingOptions } from './layers/pooling.js';
export type { ConvParam } from './networks/network-builder.js';
export { SimpleConvNet, type SimpleConvNetOptions } from './networks/simple-conv-net.js';
export { DeepConvNet, DEEP_CONV_NET_PARAMS, type DeepConvNetOptions } from './networks/deep-conv-net.js';
export { LeNet, type LeNetOptions } from './networks/lenet.js';
export {
  listMisclassified,
  type Misclassified,
  type MisclassifiedOptions,
} from './analysis/misclassified.js';
export { filterGrid, type FilterGridOptions, type GrayImage } from './analysis/filter-grid.js';
export {
  accuracyByPrecision,
  withWeightPrecision,
  type RoundableModel,
  type WeightPrecision,
} from './analysis/reduced-precision.js';
export type {
  ConvParamSpec,
  ConvolutionSpec,
  DeepConvNetSpec,
  ImageShape,
  LeNetSpec,
  PoolingSpec,
  SimpleConvNetSpec,
  Size2d,
} from './model-spec/model-spec.js';
export { specInputShape, specOutputSize } from './model-spec/spec-shapes.js';
export type { StoredPrecision } from './io/save-load.js';
