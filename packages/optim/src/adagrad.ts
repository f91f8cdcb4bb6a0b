import { getBackend, type FloatArray } from '@dl/tensor';
import { BaseOptimizer } from './base-optimizer.js';
import type { Param } from './model.js';
import type { OptimizerHyperMap, OptimizerOptions } from './optimizer.js';

/**
 * AdaGrad (book 6.1.5): each weight's step shrinks with the sum of its squared gradients `h`,
 * `h += dW²; W -= lr dW / (sqrt(h) + eps)`. The book adds eps = 1e-7 outside the square root so a
 * weight whose gradient has always been 0 does not divide by 0. Book default lr 0.01.
 */
export class AdaGrad extends BaseOptimizer<'adagrad'> {
  constructor(options: OptimizerOptions<'adagrad'> = {}) {
    super('adagrad', 'AdaGrad', options);
  }

  get eps(): number {
    return this.hyper.eps;
  }

  protected step(params: readonly Param[]): void {
    const hyper = this.hyper;
    const fused = getBackend().fused?.optimizerUpdate;
    for (const p of params) {
      const [w, g, h] = [p.value.operand, p.grad.operand, this.slot('h', p).operand];
      if (!fused?.({ kind: 'adagrad', ...hyper, h }, w, g)) adagradUpdate(w, g, h, hyper);
    }
  }
}

/**
 * The book's `AdaGrad.update` for one parameter, its two lines element by element: the reference
 * every backend's fused `optimizerUpdate` is compared with.
 */
export function adagradUpdate(
  w: FloatArray,
  g: FloatArray,
  h: FloatArray,
  { lr, eps }: OptimizerHyperMap['adagrad'],
): void {
  for (let i = 0; i < w.length; i++) {
    h[i] = h[i]! + g[i]! * g[i]!;
    w[i] = w[i]! - (lr * g[i]!) / (Math.sqrt(h[i]!) + eps);
  }
}
