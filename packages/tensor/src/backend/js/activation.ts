import type { FloatArray } from '../../dtype.js';
import type { ActivationOp } from '../kernels.js';

/**
 * The activation layers' kernels, plain loops (the reference the wasm kernels are checked against).
 * ReLU keeps NaN (`x <= 0` is false for it), as `np.maximum(0, x)` and the book's mask do. Sigmoid
 * never evaluates `exp` of a large positive number: `exp(x) / (1 + exp(x))` for negative x.
 */
export function activationJs(op: ActivationOp, x: FloatArray, out: FloatArray): void {
  const n = x.length;
  if (op === 'relu') {
    for (let i = 0; i < n; i++) {
      const v = x[i]!;
      out[i] = v <= 0 ? 0 : v;
    }
    return;
  }
  for (let i = 0; i < n; i++) {
    const v = x[i]!;
    if (v >= 0) {
      out[i] = 1 / (1 + Math.exp(-v));
    } else {
      const e = Math.exp(v);
      out[i] = e / (1 + e);
    }
  }
}

/** `dx = dout · f'`: ReLU from its input (0 where `x <= 0`), sigmoid from its output y. */
export function activationBackwardJs(
  op: ActivationOp,
  saved: FloatArray,
  dout: FloatArray,
  dx: FloatArray,
): void {
  const n = dout.length;
  if (op === 'relu') {
    for (let i = 0; i < n; i++) dx[i] = saved[i]! <= 0 ? 0 : dout[i]!;
    return;
  }
  for (let i = 0; i < n; i++) {
    const y = saved[i]!;
    dx[i] = dout[i]! * (1 - y) * y;
  }
}
