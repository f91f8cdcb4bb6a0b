import type { PoolMode } from '@dl/tensor';
import type { Activation } from '../networks/multi-layer-net.js';
import type { WeightInitStd } from '../weight-init.js';

/**
 * A network as plain JSON: what `buildModel` builds and what a saved model stores in its
 * `__metadata__` (`dl.spec`), so a file rebuilds its own network. Sizes only, never weights. Every
 * network ends in SoftmaxWithLoss. The book's networks keep their own constructors' options; the
 * `sequential` kind lists layers and infers every shape and fan-in.
 */
export type ModelSpec =
  | TwoLayerNetSpec
  | MultiLayerNetSpec
  | MultiLayerNetExtendSpec
  | SimpleConvNetSpec
  | DeepConvNetSpec
  | LeNetSpec
  | SequentialSpec;

/** `TwoLayerNet(inputSize, hiddenSize, outputSize, { weightInitStd })` (chapter 5). */
export interface TwoLayerNetSpec {
  readonly kind: 'two-layer-net';
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly outputSize: number;
  /** Default 0.01, the book's. */
  readonly weightInitStd?: WeightInitStd;
}

/** `MultiLayerNet` (chapter 6). */
export interface MultiLayerNetSpec {
  readonly kind: 'multi-layer-net';
  readonly inputSize: number;
  readonly hiddenSizeList: readonly number[];
  readonly outputSize: number;
  /** Default 'relu'. */
  readonly activation?: Activation;
  /** Default 'relu' (He). */
  readonly weightInitStd?: WeightInitStd;
  /** Default 0. */
  readonly weightDecayLambda?: number;
}

/** `MultiLayerNetExtend`: MultiLayerNet with optional BatchNorm and Dropout (chapter 6). */
export interface MultiLayerNetExtendSpec extends Omit<MultiLayerNetSpec, 'kind'> {
  readonly kind: 'multi-layer-net-extend';
  /** Default false. */
  readonly useBatchnorm?: boolean;
  /** Default false. */
  readonly useDropout?: boolean;
  /** Default 0.5. */
  readonly dropoutRatio?: number;
  /** Default false (the book's non-inverted dropout). */
  readonly invertedDropout?: boolean;
}

/** A per-sample image shape `[C, H, W]`. */
export type ImageShape = readonly [number, number, number];

/** A square size, or `[height, width]`. */
export type Size2d = number | readonly [number, number];

/** A convolution's settings as the conv networks take them (`ConvParam`, the book's `conv_param`). */
export interface ConvParamSpec {
  readonly filterNum: number;
  /** Square `FH = FW`, or `[FH, FW]`. */
  readonly filterSize: Size2d;
  /** Default 1. */
  readonly stride?: number;
  /** Default 0. */
  readonly pad?: number;
}

/** `SimpleConvNet` (chapter 7); every option optional, with the constructor's defaults. */
export interface SimpleConvNetSpec {
  readonly kind: 'simple-conv-net';
  /** Default `[1, 28, 28]`. */
  readonly inputDim?: ImageShape;
  /** Default `{ filterNum: 30, filterSize: 5, pad: 0, stride: 1 }`. */
  readonly convParam?: ConvParamSpec;
  /** Default 100. */
  readonly hiddenSize?: number;
  /** Default 10. */
  readonly outputSize?: number;
  /** Default 0.01, the book's. */
  readonly weightInitStd?: WeightInitStd;
}

/** `DeepConvNet` (chapter 8); every option optional, with the constructor's defaults. */
export interface DeepConvNetSpec {
  readonly kind: 'deep-conv-net';
  /** Default `[1, 28, 28]`. */
  readonly inputDim?: ImageShape;
  /** Exactly six convolutions (default `DEEP_CONV_NET_PARAMS`, the book's). */
  readonly convParams?: readonly ConvParamSpec[];
  /** Default 50. */
  readonly hiddenSize?: number;
  /** Default 10. */
  readonly outputSize?: number;
  /** Default 0.5. */
  readonly dropoutRatio?: number;
  /** Default false (the book's non-inverted dropout). */
  readonly invertedDropout?: boolean;
  /** Default 'he'. */
  readonly weightInitStd?: WeightInitStd;
}

/** `LeNet` (chapter 7.7); every option optional, with the constructor's defaults. */
export interface LeNetSpec {
  readonly kind: 'lenet';
  /** Default `[1, 28, 28]`. */
  readonly inputDim?: ImageShape;
  /** Zero padding of the first convolution (default 2). */
  readonly firstPad?: number;
  /** Default 10. */
  readonly outputSize?: number;
  /** Default 'sigmoid'. */
  readonly activation?: 'sigmoid' | 'relu';
  /** Default 'average'. */
  readonly pooling?: 'average' | 'max';
  /** Default 'xavier'. */
  readonly weightInitStd?: WeightInitStd;
}

/**
 * Any stack of layers on inputs of shape `input` (per sample: `[784]`, or `[C, H, W]` for
 * convolutions), then SoftmaxWithLoss. Parameters get the book's names in order: convolutions and
 * affines share one counter, the k-th of them holding `W<k>`/`b<k>` (SimpleConvNet's `Conv1` has
 * `W1`, its `Affine1` `W2`); the k-th batchnorm has `gamma<k>`/`beta<k>`. Layer keys count per type:
 * `Conv<i>`, `Affine<j>`, `Pool<m>`, `BatchNorm<k>`, `Relu<n>`, `Sigmoid<n>`, `Dropout<n>`. So
 * `[affine, batchnorm, relu]×n + [affine]` names everything as MultiLayerNetExtend does, and the
 * layer lists of SimpleConvNet, DeepConvNet and LeNet name (and draw) everything as those classes do.
 */
export interface SequentialSpec {
  readonly kind: 'sequential';
  readonly input: readonly number[];
  readonly layers: readonly LayerSpec[];
  /** L2 weight decay λ over every `W` (default 0). */
  readonly weightDecayLambda?: number;
}

/** One layer of a `sequential` spec. New layer types are new members. */
export type LayerSpec =
  AffineSpec | ConvolutionSpec | PoolingSpec | ReluSpec | SigmoidSpec | BatchNormSpec | DropoutSpec;

export interface AffineSpec {
  readonly type: 'affine';
  /** Output units; the fan-in is inferred from the previous layer. */
  readonly units: number;
  /** Initial weight scale (default 'relu', He, as MultiLayerNet's). */
  readonly init?: WeightInitStd;
}

/** A Convolution layer on `[C, H, W]` per sample; `C` (and so the fan-in `C·FH·FW`) is inferred. */
export interface ConvolutionSpec {
  readonly type: 'convolution';
  /** The number of filters (output channels). */
  readonly filters: number;
  /** The filter size: square, or `[FH, FW]`. */
  readonly size: Size2d;
  /** Default 1. */
  readonly stride?: number;
  /** Zero padding on every side (default 0). */
  readonly pad?: number;
  /** Initial weight scale (default 'relu', He). */
  readonly init?: WeightInitStd;
}

/**
 * A Pooling layer on `[C, H, W]` per sample. Unlike the book's `Pooling` (stride 1 unless given),
 * the stride defaults to the window: `{ size: 2 }` is the usual non-overlapping 2×2 pooling, as
 * every network of the book uses it. A non-square window has no single default stride: give one.
 */
export interface PoolingSpec {
  readonly type: 'pooling';
  /** The window: square, or `[PH, PW]`. */
  readonly size: Size2d;
  /** Default `size` (non-overlapping windows); required when `size` is `[PH, PW]` with `PH ≠ PW`. */
  readonly stride?: number;
  /** Default 0; must be smaller than the window. */
  readonly pad?: number;
  /** Default 'max'. */
  readonly mode?: PoolMode;
}

export interface ReluSpec {
  readonly type: 'relu';
}

export interface SigmoidSpec {
  readonly type: 'sigmoid';
}

export interface BatchNormSpec {
  readonly type: 'batchnorm';
  /** Default 0.9. */
  readonly momentum?: number;
  /** Default 1e-6 (the book's 10e-7). */
  readonly eps?: number;
  /** Default 'per-activation' (the book). */
  readonly mode?: 'per-activation' | 'per-channel';
}

export interface DropoutSpec {
  readonly type: 'dropout';
  /** Fraction of units dropped in training, in [0, 1). */
  readonly ratio: number;
  /** Default false (the book's form: test multiplies by `1 - ratio`). */
  readonly inverted?: boolean;
}

export type ModelKind = ModelSpec['kind'];
export type LayerType = LayerSpec['type'];
export const MODEL_KINDS: readonly ModelKind[] = [
  'two-layer-net',
  'multi-layer-net',
  'multi-layer-net-extend',
  'simple-conv-net',
  'deep-conv-net',
  'lenet',
  'sequential',
];
export const LAYER_TYPES: readonly LayerType[] = [
  'affine',
  'convolution',
  'pooling',
  'relu',
  'sigmoid',
  'batchnorm',
  'dropout',
];
