import type { FloatDType, Tensor } from '@dl/tensor';
import { add } from '@dl/tensor';

type Operand = number | Tensor<FloatDType>;

/**
 * The addition node of chapter 5 (`ch05/layer_naive.py`): `forward(x, y) = x + y`; `backward` passes
 * `dout` unchanged to both inputs. Numbers or same-shape tensors.
 */
export class AddLayer {
  readonly kind = 'AddLayer';

  forward(x: number, y: number): number;
  forward<D extends FloatDType>(x: Tensor<D>, y: Tensor<D>): Tensor<D>;
  forward(x: Operand, y: Operand): Operand {
    return typeof x === 'number' && typeof y === 'number' ? x + y : add(x, y);
  }

  /** Both gradients are `dout` itself (`dout * 1` in the book), not copies. */
  backward(dout: number): [dx: number, dy: number];
  backward<D extends FloatDType>(dout: Tensor<D>): [dx: Tensor<D>, dy: Tensor<D>];
  backward(dout: Operand): [Operand, Operand] {
    return [dout, dout];
  }
}
