import { relu, reluBackward, type Shape } from '@dl/tensor';
import type { FloatTensor, ForwardContext, Layer, Param } from '../layer.js';

/**
 * ReLU (`common/layers.py:Relu`). The book's layer keeps a `mask` of where `x <= 0` and zeroes the
 * gradient there; this one keeps `x` itself and asks the backend's kernel for the same thing
 * (`reluBackward`), so the gradient at exactly 0 is 0, as in the book. The kernels are branch-free:
 * over random signs a branchy loop mispredicts half the time. Unlike the book, `backward` does not
 * write into its `dout` argument: it returns a new tensor.
 */
export class Relu implements Layer {
  readonly kind = 'Relu';
  /** The last forward's input (stands in for the book's `mask`). */
  private x: FloatTensor | undefined;

  forward(x: FloatTensor, _ctx?: ForwardContext): FloatTensor {
    this.x = x;
    return relu(x);
  }

  backward(dout: FloatTensor): FloatTensor {
    const x = this.x;
    if (!x || x.size !== dout.size) {
      throw new Error(
        `Relu.backward: dout [${dout.shape.join(',')}] does not match the last forward (call forward first)`,
      );
    }
    // dout may come in another shape of the same size (a flattened view): the result keeps dout's.
    return reluBackward(x, dout.reshape(x.shape)).reshape(dout.shape);
  }

  params(): Param[] {
    return [];
  }

  outputShape(inputShape: Shape): number[] {
    return [...inputShape];
  }
}
