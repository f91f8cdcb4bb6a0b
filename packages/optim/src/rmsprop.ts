import { getBackend } from '@dl/tensor';
import type { Param } from '@dl/layers';
import { BaseOptimizer } from './base-optimizer.js';
import type { OptimizerOptions } from './optimizer.js';

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
    const { lr, decayRate, eps } = this.hyper;
    const kernels = getBackend();
    for (const p of params) {
      const h = this.slot('h', p).data;
      kernels.optimizerUpdate({ kind: 'rmsprop', lr, decayRate, eps, h }, p.value.data, p.grad.data);
    }
  }
}
