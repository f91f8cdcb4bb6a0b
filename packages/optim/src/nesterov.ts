import { getBackend, type FloatArray } from '@dl/tensor';
import { BaseOptimizer } from './base-optimizer.js';
import type { Param } from './model.js';
import type { OptimizerHyperMap, OptimizerOptions } from './optimizer.js';

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
    const hyper = this.hyper;
    const fused = getBackend().fused?.optimizerUpdate;
    for (const p of params) {
      const [w, g, v] = [p.value.operand, p.grad.operand, this.slot('v', p).operand];
      if (!fused?.({ kind: 'nesterov', ...hyper, v }, w, g)) nesterovUpdate(w, g, v, hyper);
    }
  }
}

/**
 * The book's `Nesterov.update` for one parameter, its four lines in NumPy's order (so float64 matches
 * the book bit for bit): the reference every backend's fused `optimizerUpdate` is compared with.
 */
export function nesterovUpdate(
  w: FloatArray,
  g: FloatArray,
  v: FloatArray,
  { lr, momentum }: OptimizerHyperMap['nesterov'],
): void {
  const m2 = momentum * momentum;
  const gradScale = (1 + momentum) * lr;
  for (let i = 0; i < w.length; i++) {
    w[i] = w[i]! + m2 * v[i]!;
    w[i] = w[i]! - gradScale * g[i]!;
    v[i] = v[i]! * momentum;
    v[i] = v[i]! - lr * g[i]!;
  }
}
