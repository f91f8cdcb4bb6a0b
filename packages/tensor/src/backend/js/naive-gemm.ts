import type { GemmArgs } from '../kernels.js';

/**
 * The definition of GEMM as three loops: `c[i,j] = alpha * Σp op(a)[i,p] * op(b)[p,j] + beta * c[i,j]`,
 * summed in float64. Slow and obviously right: the conformance suite checks every
 * backend's GEMM, the `js` one included, against it.
 */
export function naiveGemm({ m, n, k, transA, transB, alpha, beta, a, b, c }: GemmArgs): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) {
        const x = transA ? a[p * m + i]! : a[i * k + p]!;
        const y = transB ? b[j * k + p]! : b[p * n + j]!;
        s += x * y;
      }
      // beta 0 ignores the old contents of c, even NaN.
      c[i * n + j] = beta === 0 ? alpha * s : alpha * s + beta * c[i * n + j]!;
    }
  }
}
