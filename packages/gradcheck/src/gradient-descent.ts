import { allocate, Tensor, type FloatDType } from '@dl/tensor';
import { H, numericalGradient } from './numerical.js';

export interface GradientDescentOptions {
  /** Learning rate (the book's default 0.01). */
  lr?: number;
  /** Number of updates (the book's `step_num`, default 100). */
  steps?: number;
  /** Difference step of the numerical gradient (default `1e-4`). */
  h?: number;
}

export interface GradientDescentResult<D extends FloatDType> {
  /** Where the descent ended. */
  x: Tensor<D>;
  /** `history[k]` is `x` before step `k` (the book appends before updating): shape `[steps, ...x.shape]`. */
  history: Tensor<D>;
}

/**
 * The book's `ch04/gradient_method.py:gradient_descent`: `steps` times, `x -= lr * grad` with the
 * numerical gradient of `f`. `init` is not modified (the book's updates its argument in place).
 * The scalar operations and their order are the book's, so even the diverging `lr = 10` example
 * reproduces its exact numbers.
 */
export function gradientDescent<D extends FloatDType>(
  f: (x: Tensor<D>) => number,
  init: Tensor<D>,
  options: GradientDescentOptions = {},
): GradientDescentResult<D> {
  const { lr = 0.01, steps = 100, h = H } = options;
  if (!Number.isInteger(steps) || steps < 0)
    throw new RangeError(`gradientDescent: steps must be an integer >= 0, got ${steps}`);
  const x = init.clone();
  const grad = init.clone();
  const n = x.size;
  const history = allocate(x.dtype, steps * n);
  for (let step = 0; step < steps; step++) {
    history.set(x.data, step * n);
    numericalGradient(f, x, { h, out: grad });
    for (let i = 0; i < n; i++) x.data[i] = x.data[i]! - lr * grad.data[i]!;
  }
  return { x, history: new Tensor(history, [steps, ...x.shape], x.dtype) };
}
