import { mul, type FloatDType, type Tensor } from '@dl/tensor';

type Operand = number | Tensor<FloatDType>;

/**
 * The multiplication node of chapter 5 (`ch05/layer_naive.py`): `forward(x, y) = x * y`,
 * `backward(dout) = [dout * y, dout * x]` (the inputs swapped). Works on numbers, as in the book's
 * apple example, or elementwise on tensors of the same shape.
 */
export class MulLayer {
  readonly kind = 'MulLayer';
  private x: Operand | undefined;
  private y: Operand | undefined;

  forward(x: number, y: number): number;
  forward<D extends FloatDType>(x: Tensor<D>, y: Tensor<D>): Tensor<D>;
  forward(x: Operand, y: Operand): Operand {
    this.x = x;
    this.y = y;
    return times(x, y);
  }

  backward(dout: number): [dx: number, dy: number];
  backward<D extends FloatDType>(dout: Tensor<D>): [dx: Tensor<D>, dy: Tensor<D>];
  backward(dout: Operand): [Operand, Operand] {
    if (this.x === undefined || this.y === undefined)
      throw new Error('MulLayer.backward: call forward first');
    return [times(dout, this.y), times(dout, this.x)];
  }
}

function times(a: Operand, b: Operand): Operand {
  return typeof a === 'number' && typeof b === 'number' ? a * b : mul(a, b);
}
