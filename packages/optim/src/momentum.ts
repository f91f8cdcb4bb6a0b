import { getBackend } from '@dl/tensor';
import type { Param } from '@dl/layers';
import { BaseOptimizer } from './base-optimizer.js';
import type { OptimizerOptions } from './optimizer.js';

/**
 * Momentum SGD (book 6.1.4): a velocity `v` that the gradient accelerates and `momentum` damps,
 * `v = momentum * v - lr * dW; W += v`. Book defaults lr 0.01, momentum 0.9.
 */
export class Momentum extends BaseOptimizer<'momentum'> {
  constructor(options: OptimizerOptions<'momentum'> = {}) {
    super('momentum', 'Momentum', options);
  }

  get momentum(): number {
    return this.hyper.momentum;
  }

  protected step(params: readonly Param[]): void {
    const { lr, momentum } = this.hyper;
    const kernels = getBackend();
    for (const p of params) {
      const v = this.slot('v', p).data;
      kernels.optimizerUpdate({ kind: 'momentum', lr, momentum, v }, p.value.data, p.grad.data);
    }
  }
}
