import type { Activation } from '../networks/multi-layer-net.js';
import type { WeightInitStd } from '../weight-init.js';

/**
 * A network as plain JSON: what `buildModel` builds and what a saved model stores in its
 * `__metadata__` (`dl.spec`), so a file rebuilds its own network. Sizes only, never weights. Every
 * network ends in SoftmaxWithLoss. The book's networks keep their own constructors' options; the
 * `sequential` kind lists layers and infers every shape and fan-in.
 */
export type ModelSpec = TwoLayerNetSpec | MultiLayerNetSpec | MultiLayerNetExtendSpec | SequentialSpec;

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

/**
 * Any stack of layers on inputs of shape `input` (per sample, e.g. `[784]`), then SoftmaxWithLoss.
 * Parameters get the book's names in order: the k-th affine has `W<k>`/`b<k>`, the k-th batchnorm
 * `gamma<k>`/`beta<k>` (so `[affine, batchnorm, relu]×n + [affine]` names everything as
 * MultiLayerNetExtend does). Layer keys are `Affine<k>`, `BatchNorm<k>`, `Relu<k>`, ...
 */
export interface SequentialSpec {
  readonly kind: 'sequential';
  readonly input: readonly number[];
  readonly layers: readonly LayerSpec[];
  /** L2 weight decay λ over every `W` (default 0). */
  readonly weightDecayLambda?: number;
}

/** One layer of a `sequential` spec. New layer types (convolution, pooling) are new members. */
export type LayerSpec = AffineSpec | ReluSpec | SigmoidSpec | BatchNormSpec | DropoutSpec;

export interface AffineSpec {
  readonly type: 'affine';
  /** Output units; the fan-in is inferred from the previous layer. */
  readonly units: number;
  /** Initial weight scale (default 'relu', He, as MultiLayerNet's). */
  readonly init?: WeightInitStd;
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
  'sequential',
];
export const LAYER_TYPES: readonly LayerType[] = ['affine', 'relu', 'sigmoid', 'batchnorm', 'dropout'];
