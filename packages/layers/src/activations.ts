import {
  allocate,
  getBackend,
  onBackend,
  relu as reluOp,
  ShapeError,
  sigmoid as sigmoidOp,
  Tensor,
  tanh as tanhOp,
  type FloatDType,
} from '@dl/tensor';

/**
 * Activation functions of chapter 3 (`common/functions.py`), elementwise on tensors of any shape.
 * Each returns a new tensor of the input's dtype unless an `out` tensor (same shape and dtype) is given.
 */

function output<D extends FloatDType>(op: string, x: Tensor<D>, out: Tensor<D> | undefined): Tensor<D> {
  if (!out) return new Tensor(allocate(x.dtype, x.size), x.shape, x.dtype);
  if (out.size !== x.size || out.dtype !== x.dtype) {
    throw new ShapeError(
      `${op}: out is ${out.dtype} [${out.shape.join(',')}], the result is ${x.dtype} [${x.shape.join(',')}]`,
    );
  }
  return out;
}

/** The perceptron's activation: 1 where `x > 0`, else 0 (so `step(0) = 0`), as int32 like the book's int array. */
export function stepFunction(x: Tensor): Tensor<'int32'> {
  const out = allocate('int32', x.size);
  for (let i = 0; i < x.size; i++) out[i] = x.data[i]! > 0 ? 1 : 0;
  return new Tensor(out, x.shape, 'int32');
}

/**
 * `1 / (1 + exp(-x))`, on the backend's kernel (as `relu`). For negative x it is computed as `exp(x) / (1 + exp(x))`, which never evaluates
 * `exp` of a large positive number: `sigmoid(-1000)` is 0 and `sigmoid(1000)` is 1, with no overflow.
 */
export function sigmoid<D extends FloatDType>(x: Tensor<D>, out?: Tensor<D>): Tensor<D> {
  const y = output('sigmoid', x, out);
  return sigmoidOp(x.reshape(y.shape), y);
}

/** `max(0, x)`. NaN stays NaN, as in the book's `np.maximum(0, x)`. */
export function relu<D extends FloatDType>(x: Tensor<D>, out?: Tensor<D>): Tensor<D> {
  const y = output('relu', x, out);
  return reluOp(x.reshape(y.shape), y);
}

/** Hyperbolic tangent. */
export function tanh<D extends FloatDType>(x: Tensor<D>, out?: Tensor<D>): Tensor<D> {
  return tanhOp(x, out);
}

/** The output activation of regression (`identity_function`): returns `x` itself, not a copy. */
export function identity<D extends FloatDType>(x: Tensor<D>): Tensor<D> {
  return x;
}

/**
 * Softmax along the last axis: a 1-D vector, or every row of a batch, on the backend's kernel. The row
 * maximum is subtracted before `exp` (softmax is invariant to it), so `softmax([1010, 1000, 990])`
 * does not overflow.
 */
export function softmax<D extends FloatDType>(x: Tensor<D>, out?: Tensor<D>): Tensor<D> {
  if (x.ndim === 0) throw new ShapeError('softmax: needs at least one axis, got a 0-d tensor');
  // On the backend `x` is tied to (its output in that backend's storage), as the ops do.
  return onBackend(x.backend, () => {
    const y = output('softmax', x, out);
    const classes = x.shape[x.ndim - 1]!;
    if (x.size > 0) getBackend().softmax(x.operand, x.size / classes, classes, y.operand);
    return y;
  });
}
