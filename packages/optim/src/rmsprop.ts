import { getBackend, type FloatArray } from '@dl/tensor';
import { BaseOptimizer } from './base-optimizer.js';
import type { Param } from './model.js';
import type { OptimizerHyperMap, OptimizerOptions } from './optimizer.js';

/**
 * RMSprop (book 6.1.5, column): AdaGrad with an exponential moving average of squared gradients
 * instead of their sum, so old gradients fade: `h = decayRate h + (1 - decayRate) dW²;
 * W -= lr dW / (sqrt(h) + eps)`, eps = 1e-7 outside the square root as in the book.
 * Book defaults lr 0.01, decay rate 0.99.
 */
export class RMSprop extends BaseOptimizer<'rmsprop'> {
  constructor(options: OptimizerOptions<'rmsprop'> = {}) {
    super('rmsprop', 'RMSprop', options);
  }

  get decayRate(): number {
    return this.hyper.decayRate;
  }

  get eps(): number {
    return this.hyper.eps;
  }

  protected step(params: readonly Param[]): void {
    const hyper = this.hyper;
    const fused = getBackend().fused?.optimizerUpdate;
    for (const p of params) {
      const [w, g, h] = [p.value.operand, p.grad.operand, this.slot('h', p).operand];
      if (!fused?.({ kind: 'rmsprop', ...hyper, h }, w, g)) rmspropUpdate(w, g, h, hyper);
    }
  }
}

/**
 * The book's `RMSprop.update` for one parameter, its three lines element by element in NumPy's
 * order: the reference every backend's fused `optimizerUpdate` is compared with.
 */
export function rmspropUpdate(
  w: FloatArray,
  g: FloatArray,
  h: FloatArray,
  { lr, decayRate, eps }: OptimizerHyperMap['rmsprop'],
): void {
  const keep = 1 - decayRate;
  for (let i = 0; i < w.length; i++) {
    h[i] = h[i]! * decayRate;
    h[i] = h[i]! + keep * g[i]! * g[i]!;
    w[i] = w[i]! - (lr * g[i]!) / (Math.sqrt(h[i]!) + eps);
  }
}
