import { sigmoidBackward, type Shape } from '@dl/tensor';
import { sigmoid } from '../activations.js';
import type { FloatTensor, ForwardContext, Layer, Param } from '../layer.js';

/** The sigmoid layer (`common/layers.py:Sigmoid`): `backward` uses the saved output, `dout · (1 - y) · y`. */
export class Sigmoid implements Layer {
  readonly kind = 'Sigmoid';
  private out: FloatTensor | undefined;

  forward(x: FloatTensor, _ctx?: ForwardContext): FloatTensor {
    this.out = sigmoid(x);
    return this.out;
  }

  backward(dout: FloatTensor): FloatTensor {
    const out = this.out;
    if (!out || out.size !== dout.size) {
      throw new Error(
        `Sigmoid.backward: dout [${dout.shape.join(',')}] does not match the last forward (call forward first)`,
      );
    }
    return sigmoidBackward(out, dout.reshape(out.shape)).reshape(dout.shape);
  }

  params(): Param[] {
    return [];
  }

  outputShape(inputShape: Shape): number[] {
    return [...inputShape];
  }
}
