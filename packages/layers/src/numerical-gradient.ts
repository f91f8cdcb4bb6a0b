import { zerosLike } from '@dl/tensor';
import type { FloatTensor } from './layer.js';

/**
 * The book's `common/gradient.py:numerical_gradient`: central differences (`h = 1e-4`), one element
 * at a time in row-major order, perturbing `x` in place and restoring it. What the networks'
 * `numericalGradient` uses; Internal (not exported): `@dl/gradcheck` exports the general one.
 */
export function numericalGradient(f: () => number, x: FloatTensor, h = 1e-4): FloatTensor {
  const grad = zerosLike(x);
  const data = x.data;
  for (let i = 0; i < data.length; i++) {
    const tmp = data[i]!;
    try {
      data[i] = tmp + h;
      const fxh1 = f();
      data[i] = tmp - h;
      const fxh2 = f();
      grad.data[i] = (fxh1 - fxh2) / (2 * h);
    } finally {
      data[i] = tmp;
    }
  }
  return grad;
}
