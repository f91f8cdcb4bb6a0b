import { allocateOutput, getBackend, ShapeError, Tensor, type FloatArray, type Shape } from '@dl/tensor';
import type { FloatTensor, ForwardContext, Layer, Param } from '../layer.js';

export interface DropoutOptions {
  /**
   * Inverted dropout (the modern form): train scales kept units by `1 / (1 - ratio)`, test is the
   * identity. Default false: the book's form, train `x · mask`, test `x · (1 - ratio)`.
   */
  inverted?: boolean;
}

/**
 * Dropout (`common/layers.py:Dropout`): in train mode each unit is kept where a uniform draw from
 * `ctx.rng` exceeds `ratio` (the book's `np.random.rand(*x.shape) > ratio`, drawn in row-major order).
 * For book-parity tests and numerical gradients the draw can be fixed (`setFixedUniforms`,
 * `setFixedMask`): every train forward then uses that mask and needs no `rng`. The mask is drawn in
 * JS on `ctx.rng` on every backend (so masks, and the book-parity fixtures, are the same on all of
 * them); applying it is the book's `x * self.mask` (`applyDropout` below), or the backend's fused
 * `dropout` kernel where it offers one (wasm, for float32).
 */
export class Dropout implements Layer {
  readonly kind = 'Dropout';
  readonly ratio: number;
  readonly inverted: boolean;
  private keep: Uint8Array | undefined;
  private keepShape: readonly number[] = [];
  private fixed: Uint8Array | undefined;
  private lastTrain = false;

  constructor(dropoutRatio = 0.5, options: DropoutOptions = {}) {
    if (!(dropoutRatio >= 0 && dropoutRatio < 1))
      throw new RangeError(`Dropout: ratio must be in [0, 1), got ${dropoutRatio}`);
    this.ratio = dropoutRatio;
    this.inverted = options.inverted ?? false;
  }

  /** The mask of the last train forward (1 = kept), as the book's boolean `mask`. */
  get mask(): Tensor<'uint8'> | undefined {
    return this.keep && new Tensor(this.keep.slice(), this.keepShape, 'uint8');
  }

  /** Use `mask = u > ratio` in every train forward instead of drawing (`null` to draw again). */
  setFixedUniforms(u: Tensor | null): void {
    if (!u) {
      this.fixed = undefined;
      return;
    }
    this.fixed = new Uint8Array(u.size);
    for (let i = 0; i < u.size; i++) this.fixed[i] = u.data[i]! > this.ratio ? 1 : 0;
  }

  /** Use this mask (non-zero = kept) in every train forward (`null` to draw again). */
  setFixedMask(mask: Tensor | null): void {
    this.fixed = mask ? Uint8Array.from(mask.data, (v) => (v !== 0 ? 1 : 0)) : undefined;
  }

  forward(x: FloatTensor, ctx: ForwardContext): FloatTensor {
    this.lastTrain = ctx.train;
    const out = allocateOutput(x.dtype, x.size);
    if (!ctx.train) {
      this.apply(x.operand, undefined, this.inverted ? 1 : 1 - this.ratio, out);
      return new Tensor(out, x.shape, x.dtype);
    }
    const keep = this.drawMask(x, ctx);
    this.apply(x.operand, keep, this.inverted ? 1 / (1 - this.ratio) : 1, out);
    return new Tensor(out, x.shape, x.dtype);
  }

  /** `dout · mask` after a train forward; `dout · (1 - ratio)` (identity when inverted) after a test forward. */
  backward(dout: FloatTensor): FloatTensor {
    const dx = allocateOutput(dout.dtype, dout.size);
    if (!this.lastTrain) {
      this.apply(dout.operand, undefined, this.inverted ? 1 : 1 - this.ratio, dx);
      return new Tensor(dx, dout.shape, dout.dtype);
    }
    const keep = this.keep;
    if (!keep || keep.length !== dout.size) {
      throw new Error(
        `Dropout.backward: dout [${dout.shape.join(',')}] does not match the last forward (call forward first)`,
      );
    }
    this.apply(dout.operand, keep, this.inverted ? 1 / (1 - this.ratio) : 1, dx);
    return new Tensor(dx, dout.shape, dout.dtype);
  }

  params(): Param[] {
    return [];
  }

  outputShape(inputShape: Shape): number[] {
    return [...inputShape];
  }

  /** The backend's fused `dropout` kernel where it has one, the book's `applyDropout` otherwise. */
  private apply(x: FloatArray, mask: Uint8Array | undefined, scale: number, out: FloatArray): void {
    if (!getBackend().fused?.dropout?.(x, mask, scale, out)) applyDropout(x, mask, scale, out);
  }

  private drawMask(x: FloatTensor, ctx: ForwardContext): Uint8Array {
    if (!this.keep || this.keep.length !== x.size) this.keep = new Uint8Array(x.size);
    this.keepShape = x.shape;
    const keep = this.keep;
    if (this.fixed) {
      if (this.fixed.length !== x.size) {
        throw new ShapeError(
          `Dropout: the fixed mask has ${this.fixed.length} entries, the input [${x.shape.join(',')}] ${x.size}`,
        );
      }
      keep.set(this.fixed);
      return keep;
    }
    const rng = ctx.rng;
    if (!rng) {
      throw new Error(
        'Dropout: a train-mode forward needs ctx.rng (or a fixed mask: setFixedUniforms / setFixedMask)',
      );
    }
    for (let i = 0; i < keep.length; i++) keep[i] = rng.random() > this.ratio ? 1 : 0;
    return keep;
  }
}

/**
 * The book's `x * self.mask` (train) and `x * (1.0 - self.dropout_ratio)` (test), with a `scale`:
 * `out = x · mask · scale`, where a dropped unit is `x · 0` (NaN stays NaN, as in NumPy); without a
 * mask, `out = x · scale`. The reference every backend's fused `dropout` kernel is compared with.
 */
export function applyDropout(
  x: FloatArray,
  mask: Uint8Array | undefined,
  scale: number,
  out: FloatArray,
): void {
  const n = x.length;
  if (mask === undefined) {
    for (let i = 0; i < n; i++) out[i] = x[i]! * scale;
    return;
  }
  for (let i = 0; i < n; i++) out[i] = mask[i] ? x[i]! * scale : x[i]! * 0;
}
