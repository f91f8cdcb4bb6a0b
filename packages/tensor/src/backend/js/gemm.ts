import type { GemmArgs } from '../kernels.js';

/**
 * GEMM in plain JavaScript: `c = alpha * op(a) · op(b) + beta * c`.
 *
 * About three times as fast as the textbook triple loop (docs/benchmarks.md), for two reasons:
 * 1. Packing. op(a) is copied row-major and op(b) into panels of 4 columns, so the inner loop reads
 *    both sequentially whatever the transpose flags (copying is O(mk + kn), the product O(mnk)).
 * 2. Register blocking. Each step of the inner loop loads 4 values of a and 4 of b and does 16
 *    multiply-adds into 16 local variables, which the JIT keeps in registers.
 * Accumulation is in float64, so float32 results are rounded once.
 */

let packedA: Float64Array = new Float64Array(0);
let packedB: Float64Array = new Float64Array(0);

function scratch(current: Float64Array, length: number): Float64Array {
  return current.length >= length ? current : new Float64Array(Math.max(length, current.length * 2));
}

export function gemmJs({ m, n, k, transA, transB, alpha, beta, a, b, c }: GemmArgs): void {
  if (m === 0 || n === 0) return;
  packedA = scratch(packedA, m * k);
  const A = packedA;
  for (let i = 0; i < m; i++) {
    for (let p = 0; p < k; p++) A[i * k + p] = transA ? a[p * m + i]! : a[i * k + p]!;
  }
  const panels = Math.ceil(n / 4);
  packedB = scratch(packedB, panels * k * 4);
  const B = packedB;
  B.fill(0, 0, panels * k * 4); // the last panel may be partial
  for (let p = 0; p < k; p++) {
    for (let j = 0; j < n; j++) B[((j >> 2) * k + p) * 4 + (j & 3)] = transB ? b[j * k + p]! : b[p * n + j]!;
  }

  for (let i = 0; i < m; i += 4) {
    // Rows past the end repeat the last row; their results are never stored.
    const a0 = i * k;
    const a1 = Math.min(i + 1, m - 1) * k;
    const a2 = Math.min(i + 2, m - 1) * k;
    const a3 = Math.min(i + 3, m - 1) * k;
    for (let q = 0; q < panels; q++) {
      let c00 = 0,
        c01 = 0,
        c02 = 0,
        c03 = 0,
        c10 = 0,
        c11 = 0,
        c12 = 0,
        c13 = 0;
      let c20 = 0,
        c21 = 0,
        c22 = 0,
        c23 = 0,
        c30 = 0,
        c31 = 0,
        c32 = 0,
        c33 = 0;
      let bq = q * k * 4;
      for (let p = 0; p < k; p++, bq += 4) {
        const b0 = B[bq]!,
          b1 = B[bq + 1]!,
          b2 = B[bq + 2]!,
          b3 = B[bq + 3]!;
        const x0 = A[a0 + p]!,
          x1 = A[a1 + p]!,
          x2 = A[a2 + p]!,
          x3 = A[a3 + p]!;
        c00 += x0 * b0;
        c01 += x0 * b1;
        c02 += x0 * b2;
        c03 += x0 * b3;
        c10 += x1 * b0;
        c11 += x1 * b1;
        c12 += x1 * b2;
        c13 += x1 * b3;
        c20 += x2 * b0;
        c21 += x2 * b1;
        c22 += x2 * b2;
        c23 += x2 * b3;
        c30 += x3 * b0;
        c31 += x3 * b1;
        c32 += x3 * b2;
        c33 += x3 * b3;
      }
      tile[0] = c00;
      tile[1] = c01;
      tile[2] = c02;
      tile[3] = c03;
      tile[4] = c10;
      tile[5] = c11;
      tile[6] = c12;
      tile[7] = c13;
      tile[8] = c20;
      tile[9] = c21;
      tile[10] = c22;
      tile[11] = c23;
      tile[12] = c30;
      tile[13] = c31;
      tile[14] = c32;
      tile[15] = c33;
      storeTile(c, i, q * 4, m, n, alpha, beta);
    }
  }
}

/** The 4×4 block of results, row-major, between the inner loop and `storeTile`. */
const tile = new Float64Array(16);

/** Writes the part of `tile` inside c (edge blocks are partial); beta 0 ignores c's old contents, even NaN. */
function storeTile(
  c: GemmArgs['c'],
  i: number,
  j: number,
  m: number,
  n: number,
  alpha: number,
  beta: number,
): void {
  const rows = Math.min(4, m - i);
  const cols = Math.min(4, n - j);
  for (let r = 0; r < rows; r++) {
    const row = (i + r) * n + j;
    for (let s = 0; s < cols; s++) {
      const v = alpha * tile[r * 4 + s]!;
      c[row + s] = beta === 0 ? v : v + beta * c[row + s]!;
    }
  }
}
