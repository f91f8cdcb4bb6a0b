import type { FloatArray } from '../../dtype.js';

/**
 * Softmax over rows (`common/functions.py:softmax`): the row maximum is subtracted before `exp`
 * (softmax is invariant to it), so `[1010, 1000, 990]` does not overflow. `x` and `out` may be one array.
 */
export function softmaxJs(x: FloatArray, rows: number, classes: number, out: FloatArray): void {
  for (let row = 0; row < rows * classes; row += classes) {
    let max = -Infinity;
    for (let j = 0; j < classes; j++) max = Math.max(max, x[row + j]!);
    let sum = 0;
    for (let j = 0; j < classes; j++) {
      const e = Math.exp(x[row + j]! - max);
      out[row + j] = e;
      sum += e;
    }
    for (let j = 0; j < classes; j++) out[row + j] = out[row + j]! / sum;
  }
}
