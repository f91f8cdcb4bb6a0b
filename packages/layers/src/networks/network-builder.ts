import { ones, randn, zeros, type FloatDType, type Rng, type Shape } from '@dl/tensor';
import type { Layer, LossLayer } from '../layer.js';
import { Affine } from '../layers/affine.js';
import { BatchNormalization, type BatchNormalizationOptions } from '../layers/batch-normalization.js';
import { Convolution } from '../layers/convolution.js';
import { Pooling, type PoolingOptions } from '../layers/pooling.js';
import { weightInitScale, type WeightInitStd } from '../weight-init.js';
import { LayerNetwork, type LayerNetworkOptions } from './layer-network.js';

/** A convolution's hyper-parameters: the book's `conv_param` (`filter_num`, `filter_size`, `pad`, ...). */
export interface ConvParam {
  filterNum: number;
  /** Square `FH = FW`, or `[FH, FW]`. */
  filterSize: number | readonly [number, number];
  /** Default 1. */
  stride?: number;
  /** Default 0. */
  pad?: number;
}

/**
 * Builds a network layer by layer and tracks the shape flowing through it with each layer's
 * `outputShape`, so weight shapes and fan-ins are inferred, never written by hand (the book computes
 * them by hand, e.g. SimpleConvNet's pooled size). Weights are drawn from `rng` in layer order.
 */
export class NetworkBuilder {
  private readonly entries: [string, Layer][] = [];
  /** The current output shape, with a batch axis of 1. */
  private shape: number[];

  constructor(
    inputShape: Shape,
    private readonly init: { rng: Rng; dtype: FloatDType },
  ) {
    this.shape = [1, ...inputShape];
  }

  /** The per-sample shape the next layer receives. */
  get outputShape(): number[] {
    return this.shape.slice(1);
  }

  /** Features per sample at this point (the next Affine's fan-in). */
  get features(): number {
    return this.outputShape.reduce((n, d) => n * d, 1);
  }

  add(key: string, layer: Layer): this {
    if (this.entries.some(([k]) => k === key))
      throw new Error(`NetworkBuilder: a layer is already named '${key}'`);
    this.shape = layer.outputShape(this.shape);
    this.entries.push([key, layer]);
    return this;
  }

  /**
   * `Affine<suffix>` (or `key`) with `W<suffix>` of `[features, outputSize]` drawn with `weightInitStd`
   * scaled by the inferred fan-in, and `b<suffix>` zeros. SimpleConvNet's `Affine1` holds `W2`.
   */
  affine(
    suffix: string | number,
    outputSize: number,
    weightInitStd: WeightInitStd,
    key = `Affine${suffix}`,
  ): this {
    const fanIn = this.features;
    const { rng, dtype } = this.init;
    const W = randn([fanIn, outputSize], rng, { std: weightInitScale(weightInitStd, fanIn), dtype });
    const b = zeros([outputSize], dtype);
    return this.add(key, new Affine(W, b, { W: `W${suffix}`, b: `b${suffix}` }));
  }

  /**
   * A Convolution layer (`Conv<suffix>` unless `key` is given) with `W<suffix>` of
   * `[filterNum, C, FH, FW]`, `C` inferred from the input, drawn with `weightInitStd` scaled by the
   * inferred fan-in `C·FH·FW`, and `b<suffix>` zeros. `filterSize` is square or `[FH, FW]`.
   */
  convolution(
    suffix: string | number,
    param: ConvParam,
    weightInitStd: WeightInitStd,
    key = `Conv${suffix}`,
  ): this {
    if (this.shape.length !== 4) {
      throw new Error(
        `NetworkBuilder: ${key} needs [C, H, W] input per sample, got [${this.outputShape.join(',')}]`,
      );
    }
    const { filterNum, filterSize, stride = 1, pad = 0 } = param;
    const [FH, FW] = typeof filterSize === 'number' ? [filterSize, filterSize] : filterSize;
    const C = this.shape[1]!;
    const fanIn = C * FH * FW;
    const { rng, dtype } = this.init;
    const W = randn([filterNum, C, FH, FW], rng, { std: weightInitScale(weightInitStd, fanIn), dtype });
    const b = zeros([filterNum], dtype);
    const names = { W: `W${suffix}`, b: `b${suffix}` };
    return this.add(key, new Convolution(W, b, { stride, pad, names }));
  }

  /** A Pooling layer `Pool<suffix>` (or `key`); `size` is square or `[PH, PW]`; stride 1 unless given. */
  pooling(
    suffix: string | number,
    size: number | readonly [number, number],
    options: PoolingOptions = {},
    key = `Pool${suffix}`,
  ): this {
    const [PH, PW] = typeof size === 'number' ? [size, size] : size;
    return this.add(key, new Pooling(PH, PW, options));
  }

  /** `BatchNorm<suffix>` with `gamma<suffix>` ones and `beta<suffix>` zeros, one per activation (or channel). */
  batchNorm(suffix: string | number, options: Omit<BatchNormalizationOptions, 'names'> = {}): this {
    const size = options.mode === 'per-channel' && this.shape.length > 2 ? this.shape[1]! : this.features;
    const { dtype } = this.init;
    const layer = new BatchNormalization(ones([size], dtype), zeros([size], dtype), {
      ...options,
      names: { gamma: `gamma${suffix}`, beta: `beta${suffix}` },
    });
    return this.add(`BatchNorm${suffix}`, layer);
  }

  /** The layers so far, in order. */
  layers(): [string, Layer][] {
    return [...this.entries];
  }

  build(lastLayer: LossLayer, options: LayerNetworkOptions = {}): LayerNetwork {
    return new LayerNetwork(this.entries, lastLayer, options);
  }
}
