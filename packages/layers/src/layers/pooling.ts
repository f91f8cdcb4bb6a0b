import { pool2d, pool2dBackward, poolGeometry, type PoolMode, type Shape, type Tensor } from '@dl/tensor';
import type { FloatTensor, ForwardContext, Layer, Param } from '../layer.js';

export interface PoolingOptions {
  /** Default 1, the book's (`Pooling(pool_h, pool_w, stride=1, pad=0)`); SimpleConvNet passes 2. */
  stride?: number;
  /**
   * Default 0. Not in the book (its Pooling fails for pad > 0): max pooling ignores padded cells,
   * average pooling counts them as zeros. Must be smaller than the window.
   */
  pad?: number;
  /** 'max' (default, the book's) or 'average' (LeNet's subsampling, without its trainable scale). */
  mode?: PoolMode;
}

/**
 * The pooling layer (`common/layers.py:Pooling`): `[N, C, H, W]` → `[N, C, OH, OW]`, each channel
 * pooled on its own. Max pooling remembers where each maximum was (the first one in a tie, as the
 * book's `np.argmax`) and backward routes the gradient there alone; average pooling spreads it evenly.
 */
export class Pooling implements Layer {
  readonly kind = 'Pooling';
  readonly poolH: number;
  readonly poolW: number;
  readonly stride: number;
  readonly pad: number;
  readonly mode: PoolMode;
  private inputShape: readonly number[] | undefined;
  private argmax: Tensor<'int32'> | undefined;

  constructor(poolH: number, poolW: number, options: PoolingOptions = {}) {
    const { stride = 1, pad = 0, mode = 'max' } = options;
    if (mode !== 'max' && mode !== 'average')
      throw new RangeError(`Pooling: mode must be 'max' or 'average', got '${String(mode)}'`);
    this.poolH = poolH;
    this.poolW = poolW;
    this.stride = stride;
    this.pad = pad;
    this.mode = mode;
    // Validates the window now (on a 1x1 batch the window always fits once enlarged enough).
    poolGeometry('Pooling', [1, 1, poolH + 2 * pad, poolW + 2 * pad], poolH, poolW, { stride, pad });
  }

  forward(x: FloatTensor, _ctx?: ForwardContext): FloatTensor {
    this.outputShape(x.shape); // errors name this layer
    const { out, argmax } = pool2d(x, this.poolH, this.poolW, this.window());
    this.inputShape = x.shape;
    this.argmax = argmax;
    return out;
  }

  backward(dout: FloatTensor): FloatTensor {
    const inputShape = this.inputShape;
    if (!inputShape) throw new Error('Pooling.backward: call forward first');
    return pool2dBackward(dout, inputShape, this.poolH, this.poolW, {
      ...this.window(),
      argmax: this.argmax,
    });
  }

  params(): Param[] {
    return [];
  }

  outputShape(inputShape: Shape): number[] {
    const g = poolGeometry(this.describe(), inputShape, this.poolH, this.poolW, this.window());
    return [g.batch, g.channels, g.outH, g.outW];
  }

  /** The flat input index of each output's maximum in the last forward (max pooling only). */
  get lastArgmax(): Tensor<'int32'> | undefined {
    return this.argmax;
  }

  private window(): { stride: number; pad: number; mode: PoolMode } {
    return { stride: this.stride, pad: this.pad, mode: this.mode };
  }

  private describe(): string {
    return `Pooling (${this.mode} ${this.poolH}x${this.poolW}, stride ${this.stride}, pad ${this.pad})`;
  }
}
