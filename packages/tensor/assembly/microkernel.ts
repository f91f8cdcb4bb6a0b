import { madd } from './simd';

/**
 * The 4×8 register-blocked micro-kernel: C[0..rows, 0..cols] = alpha · Σp a[p] ⊗ b[p] + beta · C,
 * rows ≤ 4, cols ≤ 8. `a` is a packed MR-row panel (4 floats per step), `b` a packed NR-column panel
 * (8 floats per step), both zero-padded, so the loop always computes the full tile.
 * Eight v128 accumulators, two loads of b and four broadcasts of a per step: 8 multiply-adds per
 * 6 loads. NOTE: under V8 on x64, 4×12 (12 accumulators) and unrolling the k loop 2× or 4× measured
 * clearly slower (docs/benchmarks.md): they run out of the 16 vector registers and spill.
 * `ldc` is the row pitch of C in bytes. beta = 0 never reads C, so NaN there is ignored.
 */
export function kernel4x8(
  kc: i32,
  a: usize,
  b: usize,
  c: usize,
  ldc: usize,
  rows: i32,
  cols: i32,
  alpha: f32,
  beta: f32,
): void {
  let c00 = f32x4.splat(0);
  let c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0);
  let c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0);
  let c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0);
  let c31 = f32x4.splat(0);
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(b);
    const b1 = v128.load(b, 16);
    let x = v128.load32_splat(a);
    c00 = madd(x, b0, c00);
    c01 = madd(x, b1, c01);
    x = v128.load32_splat(a, 4);
    c10 = madd(x, b0, c10);
    c11 = madd(x, b1, c11);
    x = v128.load32_splat(a, 8);
    c20 = madd(x, b0, c20);
    c21 = madd(x, b1, c21);
    x = v128.load32_splat(a, 12);
    c30 = madd(x, b0, c30);
    c31 = madd(x, b1, c31);
    a += 16;
    b += 32;
  }
  const va = f32x4.splat(alpha);
  const vb = f32x4.splat(beta);
  if (cols == 8) {
    storeRow(c, c00, c01, va, vb, beta);
    if (rows > 1) storeRow(c + ldc, c10, c11, va, vb, beta);
    if (rows > 2) storeRow(c + 2 * ldc, c20, c21, va, vb, beta);
    if (rows > 3) storeRow(c + 3 * ldc, c30, c31, va, vb, beta);
  } else {
    storeRowPart(c, c00, c01, cols, va, vb, beta);
    if (rows > 1) storeRowPart(c + ldc, c10, c11, cols, va, vb, beta);
    if (rows > 2) storeRowPart(c + 2 * ldc, c20, c21, cols, va, vb, beta);
    if (rows > 3) storeRowPart(c + 3 * ldc, c30, c31, cols, va, vb, beta);
  }
}

/** One row of 8: c = alpha · x + beta · c. */
// @ts-ignore: decorator
@inline
function storeRow(c: usize, x0: v128, x1: v128, va: v128, vb: v128, beta: f32): void {
  if (beta == 0) {
    v128.store(c, f32x4.mul(x0, va));
    v128.store(c, f32x4.mul(x1, va), 16);
  } else {
    v128.store(c, madd(x0, va, f32x4.mul(v128.load(c), vb)));
    v128.store(c, madd(x1, va, f32x4.mul(v128.load(c, 16), vb)), 16);
  }
}

/** The first `cols` (< 8) values of a row, stored lane by lane so nothing past them is written. */
function storeRowPart(c: usize, x0: v128, x1: v128, cols: i32, va: v128, vb: v128, beta: f32): void {
  let x = x0;
  if (cols >= 4) {
    v128.store(c, beta == 0 ? f32x4.mul(x0, va) : madd(x0, va, f32x4.mul(v128.load(c), vb)));
    x = x1;
    c += 16;
    cols -= 4;
  }
  if (cols == 0) return;
  // Reading past the row end is safe (the arena continues) and those lanes are never stored.
  const y = beta == 0 ? f32x4.mul(x, va) : madd(x, va, f32x4.mul(v128.load(c), vb));
  v128.store32_lane(c, y, 0);
  if (cols > 1) v128.store32_lane(c, y, 1, 4);
  if (cols > 2) v128.store32_lane(c, y, 2, 8);
}
