import type { Param } from '@dl/layers';
import { BaseOptimizer } from './base-optimizer.js';
import type { OptimizerOptions } from './optimizer.js';

/**
 * Nesterov's accelerated gradient in the book's form (`common/optimizer.py`, after
 * arXiv:1212.0901): the look-ahead is folded into the step so the gradient is taken at the current
 * weights: `W += momentum² v; W -= (1 + momentum) lr dW; v = momentum v - lr dW` (using the old `v`
 * first). Book defaults lr 0.01, momentum 0.9.
 */
export class Nesterov extends BaseOptimizer<'nesterov'> {
  constructor(options: OptimizerOptions<'nesterov'> = {}) {
    super('nesterov', 'Nesterov', options);
  }

  get momentum(): number {
    return this.hyper.momentum;
  }

  protected step(params: readonly Param[]): void {
    const { lr, momentum } = this.hyper;
    // Same operation order as NumPy evaluates the book's lines, so float64 results match bit for bit.
    const m2 = momentum * momentum;
    const gradScale = (1 + momentum) * lr;
    for (const p of params) {
      const v = this.slot('v', p).data;
      const w = p.value.data;
      const g = p.grad.data;
      for (let i = 0; i < w.length; i++) {
        w[i] = w[i]! + m2 * v[i]!;
        w[i] = w[i]! - gradScale * g[i]!;
        v[i] = v[i]! * momentum;
        v[i] = v[i]! - lr * g[i]!;
      }
    }
  }
}
