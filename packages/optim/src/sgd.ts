import { getBackend, type FloatArray } from '@dl/tensor';
import { BaseOptimizer } from './base-optimizer.js';
import type { Param } from './model.js';
import type { OptimizerHyperMap, OptimizerOptions } from './optimizer.js';

/** Stochastic gradient descent (book 6.1.2): `W -= lr * dW`. Book default lr 0.01. */
export class SGD extends BaseOptimizer<'sgd'> {
  constructor(options: OptimizerOptions<'sgd'> = {}) {
    super('sgd', 'SGD', options);
  }

  protected step(params: readonly Param[]): void {
    const hyper = this.hyper;
    const fused = getBackend().fused?.optimizerUpdate;
    for (const p of params) {
      const [w, g] = [p.value.operand, p.grad.operand];
      if (!fused?.({ kind: 'sgd', ...hyper }, w, g)) sgdUpdate(w, g, hyper);
    }
  }
}

/**
 * The book's `SGD.update` for one parameter, `params[key] -= self.lr * grads[key]`: the reference
 * every backend's fused `optimizerUpdate` is compared with.
 */
export function sgdUpdate(w: FloatArray, g: FloatArray, { lr }: OptimizerHyperMap['sgd']): void {
  for (let i = 0; i < w.length; i++) w[i] = w[i]! - lr * g[i]!;
}
