import { getBackend } from '@dl/tensor';
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
    const kernels = getBackend();
    for (const p of params) {
      const v = this.slot('v', p).data;
      kernels.optimizerUpdate({ kind: 'nesterov', lr, momentum, v }, p.value.data, p.grad.data);
    }
  }
}
