import { getBackend, type FloatArray } from '@dl/tensor';
import { BaseOptimizer } from './base-optimizer.js';
import type { Param } from './model.js';
import type { AdamVariant, OptimizerHyperMap, OptimizerOptions } from './optimizer.js';

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
    const hyper = this.hyper;
    const fused = getBackend().fused?.optimizerUpdate;
    for (const p of params) {
      const [w, g, m, v] = [
        p.value.operand,
        p.grad.operand,
        this.slot('m', p).operand,
        this.slot('v', p).operand,
      ];
      if (!fused?.({ kind: 'adam', ...hyper, t, m, v }, w, g)) adamUpdate(w, g, m, v, hyper, t);
    }
  }
}

/**
 * The book's `Adam.update` for one parameter at update `t` (1-based), element by element in NumPy's
 * order (so float64 matches the book bit for bit): the reference every backend's fused
 * `optimizerUpdate` is compared with.
 */
export function adamUpdate(
  w: FloatArray,
  g: FloatArray,
  m: FloatArray,
  v: FloatArray,
  { lr, beta1, beta2, eps, variant }: OptimizerHyperMap['adam'],
  t: number,
): void {
  const c1 = 1 - beta1 ** t;
  const c2 = 1 - beta2 ** t;
  const a1 = 1 - beta1;
  const a2 = 1 - beta2;
  if (variant === 'book') {
    // lr_t = lr·sqrt(1 - beta2^t) / (1 - beta1^t); m += (1 - beta1)(g - m); v += (1 - beta2)(g² - v);
    // W -= lr_t·m / (sqrt(v) + eps)
    const lrT = (lr * Math.sqrt(c2)) / c1;
    for (let i = 0; i < w.length; i++) {
      m[i] = m[i]! + a1 * (g[i]! - m[i]!);
      v[i] = v[i]! + a2 * (g[i]! * g[i]! - v[i]!);
      w[i] = w[i]! - (lrT * m[i]!) / (Math.sqrt(v[i]!) + eps);
    }
    return;
  }
  // m = beta1·m + (1 - beta1)·g; v = beta2·v + (1 - beta2)·g²; W -= lr·m̂ / (sqrt(v̂) + eps)
  for (let i = 0; i < w.length; i++) {
    m[i] = beta1 * m[i]! + a1 * g[i]!;
    v[i] = beta2 * v[i]! + a2 * g[i]! * g[i]!;
    w[i] = w[i]! - (lr * (m[i]! / c1)) / (Math.sqrt(v[i]! / c2) + eps);
  }
}
