import { KC, MC, MR, NC, NR, RESIDENT_B_BYTES } from './blocking';
import { kernel4x8 } from './microkernel';
import { packA, packB } from './pack';

/**
 * float32 GEMM on memory the caller owns: `c = alpha · op(a) · op(b) + beta · c`, row-major, with
 * op(a) m×k and op(b) k×n (`a` is stored k×m when `transA`, `b` n×k when `transB`). The leading
 * dimensions (row pitches, in floats: lda ≥ k, or ≥ m when `transA`; ldb ≥ n, or ≥ k when `transB`;
 * ldc ≥ n) let a caller pass any block of bigger matrices, which is how threads will split one
 * product. `scratch` points to gemmScratchBytes(m, n, k) bytes for the packed panels, and 16 readable
 * bytes must follow c (edge tiles load a whole v128 at a row end, then store only the lanes inside
 * C). Nothing is allocated here.
 */
export function gemm(
  m: i32,
  n: i32,
  k: i32,
  transA: bool,
  transB: bool,
  alpha: f32,
  beta: f32,
  a: usize,
  lda: i32,
  b: usize,
  ldb: i32,
  c: usize,
  ldc: i32,
  scratch: usize,
): void {
  if (m <= 0 || n <= 0) return;
  if (k <= 0) {
    for (let i = 0; i < m; i++) scale(c + ((<usize>i * ldc) << 2), n, beta);
    return;
  }
  const pitchC = (<usize>ldc) << 2;
  const packedA = scratch;
  const packedB = packedA + ((<usize>MC * KC) << 2);
  // Equal slices: k = 784 runs as 4 × 196, not 3 × 256 + 16 (a short slice pays full overhead).
  const kStep = ceilDiv(k, ceilDiv(k, KC));
  const mStep = roundUp(ceilDiv(m, ceilDiv(m, MC)), MR);
  const resident = residentB(n, k);
  for (let j0 = 0; j0 < n; j0 += NC) {
    const nc = min(NC, n - j0);
    const ncPad = roundUp(nc, NR);
    if (resident) {
      // Slice p0 of the packed op(B) starts p0 rows of ncPad floats in.
      for (let p0 = 0; p0 < k; p0 += kStep) {
        packB(b, ldb, transB, p0, min(kStep, k - p0), j0, nc, packedB + ((<usize>p0 * ncPad) << 2));
      }
      for (let i0 = 0; i0 < m; i0 += mStep) {
        const mc = min(mStep, m - i0);
        for (let p0 = 0; p0 < k; p0 += kStep) {
          const kc = min(kStep, k - p0);
          packA(a, lda, transA, i0, mc, p0, kc, packedA);
          const pb = packedB + ((<usize>p0 * ncPad) << 2);
          const pc = c + ((<usize>i0 * ldc + j0) << 2);
          // Later K slices add to what the earlier ones wrote.
          block(kc, mc, nc, packedA, pb, pc, pitchC, alpha, p0 == 0 ? beta : 1);
        }
      }
    } else {
      for (let p0 = 0; p0 < k; p0 += kStep) {
        const kc = min(kStep, k - p0);
        packB(b, ldb, transB, p0, kc, j0, nc, packedB);
        for (let i0 = 0; i0 < m; i0 += mStep) {
          const mc = min(mStep, m - i0);
          packA(a, lda, transA, i0, mc, p0, kc, packedA);
          const pc = c + ((<usize>i0 * ldc + j0) << 2);
          block(kc, mc, nc, packedA, packedB, pc, pitchC, alpha, p0 == 0 ? beta : 1);
        }
      }
    }
  }
}

/** Whether the whole K depth of an op(B) column block is packed at once (see RESIDENT_B_BYTES). */
function residentB(n: i32, k: i32): bool {
  return (<usize>k * roundUp(min(n, NC), NR)) << 2 <= RESIDENT_B_BYTES;
}

/** C[0..mc, 0..nc] = alpha · packed A block · packed B slice + beta · C, tile by tile. */
function block(
  kc: i32,
  mc: i32,
  nc: i32,
  packedA: usize,
  packedB: usize,
  c: usize,
  pitchC: usize,
  alpha: f32,
  beta: f32,
): void {
  // Each KC×NR panel of B stays in L1 while the MC×KC block of A streams past it from L2.
  for (let jr = 0; jr < nc; jr += NR) {
    const cols = min(NR, nc - jr);
    const pb = packedB + ((<usize>jr * kc) << 2);
    for (let ir = 0; ir < mc; ir += MR) {
      const rows = min(MR, mc - ir);
      const pa = packedA + ((<usize>ir * kc) << 2);
      kernel4x8(kc, pa, pb, c + <usize>ir * pitchC + ((<usize>jr) << 2), pitchC, rows, cols, alpha, beta);
    }
  }
}

/** Bytes of scratch `gemm` needs for these sizes: the packed op(A) and op(B) blocks. */
export function gemmScratchBytes(m: i32, n: i32, k: i32): usize {
  const depth = residentB(n, k) ? k : KC;
  return (<usize>MC * KC + <usize>depth * roundUp(min(n, NC), NR)) << 2;
}

/** One row of c *= beta, for a product with k = 0 (beta = 0 writes zeros, ignoring NaN). */
function scale(c: usize, count: i32, beta: f32): void {
  for (let i = 0; i < count; i++) {
    const at = c + ((<usize>i) << 2);
    store<f32>(at, beta == 0 ? 0 : beta * load<f32>(at));
  }
}

// @ts-ignore: decorator
@inline
function ceilDiv(x: i32, y: i32): i32 {
  return (x + y - 1) / y;
}

// @ts-ignore: decorator
@inline
function roundUp(x: i32, to: i32): i32 {
  return ((x + to - 1) / to) * to;
}
