import { getBackend } from '@dl/tensor';
import type { Param } from '@dl/layers';
import { BaseOptimizer } from './base-optimizer.js';
import type { AdamVariant, OptimizerOptions } from './optimizer.js';

/**
 * Adam (book 6.1.6): moving averages of the gradient `m` and of its square `v`.
 *
 * `variant: 'book'` (default) is `common/optimizer.py`: the bias correction is folded into the step
 * size, `lr_t = lr sqrt(1 - beta2^t) / (1 - beta1^t)`, then `m += (1 - beta1)(dW - m);
 * v += (1 - beta2)(dW² - v); W -= lr_t m / (sqrt(v) + 1e-7)`.
 * `variant: 'standard'` is Kingma & Ba's Algorithm 1: `m̂ = m / (1 - beta1^t)`,
 * `v̂ = v / (1 - beta2^t)`, `W -= lr m̂ / (sqrt(v̂) + eps)`, eps 1e-8. The two differ only in where
 * eps sits (the book's is effectively scaled by `sqrt(1 - beta2^t)`).
 * Book defaults lr 0.001, beta1 0.9, beta2 0.999.
 */
export class Adam extends BaseOptimizer<'adam'> {
  constructor(options: OptimizerOptions<'adam'> = {}) {
    super('adam', 'Adam', options);
  }

  get beta1(): number {
    return this.hyper.beta1;
  }

  get beta2(): number {
    return this.hyper.beta2;
  }

  get eps(): number {
    return this.hyper.eps;
  }

  get variant(): AdamVariant {
    return this.hyper.variant;
  }

  protected step(params: readonly Param[], t: number): void {
    const { lr, beta1, beta2, eps, variant } = this.hyper;
    const kernels = getBackend();
    for (const p of params) {
      const m = this.slot('m', p).data;
      const v = this.slot('v', p).data;
      const update = { kind: 'adam', variant, lr, beta1, beta2, eps, t, m, v } as const;
      kernels.optimizerUpdate(update, p.value.data, p.grad.data);
    }
  }
}
