import type { Param } from '@dl/layers';
import { BaseOptimizer } from './base-optimizer.js';
import type { OptimizerOptions } from './optimizer.js';

/** Stochastic gradient descent (book 6.1.2): `W -= lr * dW`. Book default lr 0.01. */
export class SGD extends BaseOptimizer<'sgd'> {
  constructor(options: OptimizerOptions<'sgd'> = {}) {
    super('sgd', 'SGD', options);
  }

  protected step(params: readonly Param[]): void {
    const lr = this.hyper.lr;
    for (const p of params) {
      const w = p.value.data;
      const g = p.grad.data;
      for (let i = 0; i < w.length; i++) w[i] = w[i]! - lr * g[i]!;
    }
  }
}
