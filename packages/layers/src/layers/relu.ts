import { allocate, Tensor, type Shape } from '@dl/tensor';
import type { FloatTensor, ForwardContext, Layer, Param } from '../layer.js';

/**
 * ReLU (`common/layers.py:Relu`). `forward` remembers where `x <= 0`; `backward` zeroes the gradient
 * there, so the gradient at exactly 0 is 0, as in the book. Unlike the book, `backward` does not write
 * into its `dout` argument: it returns a new tensor.
 */
export class Relu implements Layer {
  readonly kind = 'Relu';
  /** 1 where the input was `<= 0` (the book's `mask`). */
  private mask: Uint8Array | undefined;

  forward(x: FloatTensor, _ctx?: ForwardContext): FloatTensor {
    const n = x.size;
    if (!this.mask || this.mask.length !== n) this.mask = new Uint8Array(n);
    const mask = this.mask;
    const out = allocate(x.dtype, n);
    const a = x.data;
    for (let i = 0; i < n; i++) {
      const v = a[i]!;
      const off = v <= 0;
      mask[i] = off ? 1 : 0;
      out[i] = off ? 0 : v;
    }
    return new Tensor(out, x.shape, x.dtype);
  }

  backward(dout: FloatTensor): FloatTensor {
    const mask = this.mask;
    if (!mask || mask.length !== dout.size) {
      throw new Error(
        `Relu.backward: dout [${dout.shape.join(',')}] does not match the last forward (call forward first)`,
      );
    }
    const dx = allocate(dout.dtype, dout.size);
    const d = dout.data;
    for (let i = 0; i < dx.length; i++) dx[i] = mask[i] ? 0 : d[i]!;
    return new Tensor(dx, dout.shape, dout.dtype);
  }

  params(): Param[] {
    return [];
  }

  outputShape(inputShape: Shape): number[] {
    return [...inputShape];
  }
}
