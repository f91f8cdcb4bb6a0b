import { zerosLike, type FloatDType, type Tensor } from '@dl/tensor';

/** The book's step for central differences (`h = 1e-4`): small, but not so small that rounding dominates. */
export const H = 1e-4;

/**
 * The derivative of a one-variable function by central differences (`ch04/gradient_1d.py`):
 * `(f(x + h) - f(x - h)) / 2h`, whose error shrinks as `h²` instead of `h` for the forward difference.
 */
export function numericalDiff(f: (x: number) => number, x: number, h = H): number {
  return (f(x + h) - f(x - h)) / (2 * h);
}

export interface NumericalGradientOptions<D extends FloatDType> {
  /** The difference step (default `1e-4`, the book's). */
  h?: number;
  /** Write the gradient here (same shape and dtype as `x`) instead of a new tensor. */
  out?: Tensor<D>;
}

/**
 * The gradient of `f` at `x` by central differences, one element at a time in row-major order, as
 * the book's `common/gradient.py:numerical_gradient` does: each element is set to `x + h`, then
 * `x - h`, then restored, in place, so `f` may read `x` itself or anything that shares its storage
 * (a network's weights). Use float64: in float32, `x ± h` loses most of the digits of the difference.
 */
export function numericalGradient<D extends FloatDType>(
  f: (x: Tensor<D>) => number,
  x: Tensor<D>,
  options: NumericalGradientOptions<D> = {},
): Tensor<D> {
  const { h = H } = options;
  const grad = options.out ?? zerosLike(x);
  if (grad.size !== x.size) {
    throw new RangeError(`numericalGradient: out has ${grad.size} elements, x has ${x.size}`);
  }
  const data = x.data;
  for (let i = 0; i < data.length; i++) {
    const tmp = data[i]!;
    try {
      data[i] = tmp + h;
      const fxh1 = f(x);
      data[i] = tmp - h;
      const fxh2 = f(x);
      grad.data[i] = (fxh1 - fxh2) / (2 * h);
    } finally {
      data[i] = tmp; // restored even when f throws, so x is never left perturbed
    }
  }
  return grad;
}
