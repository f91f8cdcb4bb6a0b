import { ones, randn, zeros, type FloatDType, type Rng, type Shape } from '@dl/tensor';
import type { Layer, LossLayer } from '../layer.js';
import { Affine } from '../layers/affine.js';
import { BatchNormalization, type BatchNormalizationOptions } from '../layers/batch-normalization.js';
import { weightInitScale, type WeightInitStd } from '../weight-init.js';
import { LayerNetwork, type LayerNetworkOptions } from './layer-network.js';

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
   * `Affine<suffix>` with `W<suffix>` of `[features, outputSize]` drawn with `weightInitStd` scaled by
   * the inferred fan-in, and `b<suffix>` zeros.
   */
  affine(suffix: string | number, outputSize: number, weightInitStd: WeightInitStd): this {
    const fanIn = this.features;
    const { rng, dtype } = this.init;
    const W = randn([fanIn, outputSize], rng, { std: weightInitScale(weightInitStd, fanIn), dtype });
    const b = zeros([outputSize], dtype);
    return this.add(`Affine${suffix}`, new Affine(W, b, { W: `W${suffix}`, b: `b${suffix}` }));
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
