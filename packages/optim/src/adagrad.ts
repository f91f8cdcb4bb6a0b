import { getBackend } from '@dl/tensor';
import type { Param } from '@dl/layers';
import { BaseOptimizer } from './base-optimizer.js';
import type { OptimizerOptions } from './optimizer.js';

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
    const { lr, eps } = this.hyper;
    const kernels = getBackend();
    for (const p of params) {
      const h = this.slot('h', p).data;
      kernels.optimizerUpdate({ kind: 'adagrad', lr, eps, h }, p.value.data, p.grad.data);
    }
  }
}
