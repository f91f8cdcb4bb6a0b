import { getBackend } from '@dl/tensor';
import type { Param } from '@dl/layers';
import { BaseOptimizer } from './base-optimizer.js';
import type { OptimizerOptions } from './optimizer.js';

/** Stochastic gradient descent (book 6.1.2): `W -= lr * dW`. Book default lr 0.01. */
export class SGD extends BaseOptimizer<'sgd'> {
  constructor(options: OptimizerOptions<'sgd'> = {}) {
    super('sgd', 'SGD', options);
  }

  protected step(params: readonly Param[]): void {
    const update = { kind: 'sgd', lr: this.hyper.lr } as const;
    const kernels = getBackend();
    for (const p of params) kernels.optimizerUpdate(update, p.value.data, p.grad.data);
  }
}
