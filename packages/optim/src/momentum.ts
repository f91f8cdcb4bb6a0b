import { getBackend, type FloatArray } from '@dl/tensor';
import { BaseOptimizer } from './base-optimizer.js';
import type { Param } from './model.js';
import type { OptimizerHyperMap, OptimizerOptions } from './optimizer.js';

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
    const hyper = this.hyper;
    const fused = getBackend().fused?.optimizerUpdate;
    for (const p of params) {
      const [w, g, v] = [p.value.operand, p.grad.operand, this.slot('v', p).operand];
      if (!fused?.({ kind: 'momentum', ...hyper, v }, w, g)) momentumUpdate(w, g, v, hyper);
    }
  }
}

/**
 * The book's `Momentum.update` for one parameter, its two lines element by element: the reference
 * every backend's fused `optimizerUpdate` is compared with.
 */
export function momentumUpdate(
  w: FloatArray,
  g: FloatArray,
  v: FloatArray,
  { lr, momentum }: OptimizerHyperMap['momentum'],
): void {
  for (let i = 0; i < w.length; i++) {
    v[i] = momentum * v[i]! - lr * g[i]!;
    w[i] = w[i]! + v[i]!;
  }
}
