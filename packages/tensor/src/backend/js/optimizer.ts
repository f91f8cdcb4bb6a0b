import type { FloatArray } from '../../dtype.js';
import type { OptimizerUpdate } from '../kernels.js';

/**
 * The optimizers' per-parameter updates (`common/optimizer.py`), the reference for other backends.
 * Each line keeps the operation order NumPy evaluates the book's lines in, so float64 results match
 * the book bit for bit (the optimizers' parity tests check this).
 */
export function optimizerUpdateJs(u: OptimizerUpdate, w: FloatArray, g: FloatArray): void {
  const n = w.length;
  switch (u.kind) {
    case 'sgd': {
      const lr = u.lr;
      for (let i = 0; i < n; i++) w[i] = w[i]! - lr * g[i]!;
      return;
    }
    case 'momentum': {
      const { lr, momentum, v } = u;
      for (let i = 0; i < n; i++) {
        v[i] = momentum * v[i]! - lr * g[i]!;
        w[i] = w[i]! + v[i]!;
      }
      return;
    }
    case 'nesterov': {
      const { lr, momentum, v } = u;
      const m2 = momentum * momentum;
      const gradScale = (1 + momentum) * lr;
      for (let i = 0; i < n; i++) {
        w[i] = w[i]! + m2 * v[i]!;
        w[i] = w[i]! - gradScale * g[i]!;
        v[i] = v[i]! * momentum;
        v[i] = v[i]! - lr * g[i]!;
      }
      return;
    }
    case 'adagrad': {
      const { lr, eps, h } = u;
      for (let i = 0; i < n; i++) {
        h[i] = h[i]! + g[i]! * g[i]!;
        w[i] = w[i]! - (lr * g[i]!) / (Math.sqrt(h[i]!) + eps);
      }
      return;
    }
    case 'rmsprop': {
      const { lr, decayRate, eps, h } = u;
      const keep = 1 - decayRate;
      for (let i = 0; i < n; i++) {
        h[i] = h[i]! * decayRate;
        h[i] = h[i]! + keep * g[i]! * g[i]!;
        w[i] = w[i]! - (lr * g[i]!) / (Math.sqrt(h[i]!) + eps);
      }
      return;
    }
    case 'adam': {
      const { lr, beta1, beta2, eps, t, m, v } = u;
      const c1 = 1 - beta1 ** t;
      const c2 = 1 - beta2 ** t;
      const a1 = 1 - beta1;
      const a2 = 1 - beta2;
      if (u.variant === 'book') {
        // The bias correction folded into the step size, as the book's `lr_t`.
        const lrT = (lr * Math.sqrt(c2)) / c1;
        for (let i = 0; i < n; i++) {
          m[i] = m[i]! + a1 * (g[i]! - m[i]!);
          v[i] = v[i]! + a2 * (g[i]! * g[i]! - v[i]!);
          w[i] = w[i]! - (lrT * m[i]!) / (Math.sqrt(v[i]!) + eps);
        }
      } else {
        for (let i = 0; i < n; i++) {
          m[i] = beta1 * m[i]! + a1 * g[i]!;
          v[i] = beta2 * v[i]! + a2 * g[i]! * g[i]!;
          w[i] = w[i]! - (lr * (m[i]! / c1)) / (Math.sqrt(v[i]! / c2) + eps);
        }
      }
      return;
    }
  }
}
