import { MR, NR } from './blocking';

/**
 * Packing copies a block of op(A) or op(B) into the order the micro-kernel reads it, so the kernel
 * streams both operands sequentially whatever the transpose flags. Tiles past the matrix edge are
 * zero-padded, so the kernel always computes full tiles. Full 4×4 blocks that must be transposed go
 * through four v128 loads and eight shuffles instead of sixteen scalar gathers.
 */

/** Stores the transpose of the 4×4 block with rows r0..r3 at `dst`, `dst + pitch`, ... */
// @ts-ignore: decorator
@inline
function storeTransposed(r0: v128, r1: v128, r2: v128, r3: v128, dst: usize, pitch: usize): void {
  const t0 = f32x4.shuffle(r0, r1, 0, 4, 1, 5);
  const t1 = f32x4.shuffle(r0, r1, 2, 6, 3, 7);
  const t2 = f32x4.shuffle(r2, r3, 0, 4, 1, 5);
  const t3 = f32x4.shuffle(r2, r3, 2, 6, 3, 7);
  v128.store(dst, f32x4.shuffle(t0, t2, 0, 1, 4, 5));
  v128.store(dst + pitch, f32x4.shuffle(t0, t2, 2, 3, 6, 7));
  v128.store(dst + 2 * pitch, f32x4.shuffle(t1, t3, 0, 1, 4, 5));
  v128.store(dst + 3 * pitch, f32x4.shuffle(t1, t3, 2, 3, 6, 7));
}

/**
 * Packs op(A)[i0 .. i0+mc, p0 .. p0+kc] into MR-row panels at `dst`: panel r holds kc steps of MR
 * floats (op(A)[i0+r·MR+0..MR, p]). op(A)[i, p] is a[i·lda + p], or a[p·lda + i] when `transA`.
 */
export function packA(
  a: usize,
  lda: i32,
  transA: bool,
  i0: i32,
  mc: i32,
  p0: i32,
  kc: i32,
  dst: usize,
): void {
  for (let r = 0; r < mc; r += MR) {
    const rows = min(MR, mc - r);
    const i = i0 + r;
    if (transA) {
      // op(A)[i, p] = a[p·lda + i]: the MR values of one step are contiguous.
      const pitch = (<usize>lda) << 2;
      let src = a + ((<usize>p0 * lda + i) << 2);
      if (rows == MR) {
        for (let p = 0; p < kc; p++) {
          v128.store(dst, v128.load(src));
          src += pitch;
          dst += 16;
        }
      } else {
        for (let p = 0; p < kc; p++) {
          for (let rr = 0; rr < MR; rr++) {
            store<f32>(dst + ((<usize>rr) << 2), rr < rows ? load<f32>(src + ((<usize>rr) << 2)) : 0);
          }
          src += pitch;
          dst += 16;
        }
      }
    } else {
      // op(A)[i, p] = a[i·lda + p]: a row of the panel is contiguous, so transpose 4×4 blocks.
      const pitch = (<usize>lda) << 2;
      let src = a + ((<usize>i * lda + p0) << 2);
      if (rows == MR) {
        let p = 0;
        for (; p + 4 <= kc; p += 4) {
          storeTransposed(
            v128.load(src),
            v128.load(src + pitch),
            v128.load(src + 2 * pitch),
            v128.load(src + 3 * pitch),
            dst,
            16,
          );
          src += 16;
          dst += 64;
        }
        for (; p < kc; p++) {
          store<f32>(dst, load<f32>(src));
          store<f32>(dst, load<f32>(src + pitch), 4);
          store<f32>(dst, load<f32>(src + 2 * pitch), 8);
          store<f32>(dst, load<f32>(src + 3 * pitch), 12);
          src += 4;
          dst += 16;
        }
      } else {
        for (let p = 0; p < kc; p++) {
          for (let rr = 0; rr < MR; rr++) {
            store<f32>(dst + ((<usize>rr) << 2), rr < rows ? load<f32>(src + <usize>rr * pitch) : 0);
          }
          src += 4;
          dst += 16;
        }
      }
    }
  }
}

/**
 * Packs op(B)[p0 .. p0+kc, j0 .. j0+nc] into NR-column panels at `dst`: panel j holds kc steps of NR
 * floats (op(B)[p, j0+j·NR+0..NR]). op(B)[p, j] is b[p·ldb + j], or b[j·ldb + p] when `transB`.
 */
export function packB(
  b: usize,
  ldb: i32,
  transB: bool,
  p0: i32,
  kc: i32,
  j0: i32,
  nc: i32,
  dst: usize,
): void {
  const step = (<usize>NR) << 2;
  for (let j = 0; j < nc; j += NR) {
    const cols = min(NR, nc - j);
    const full = cols & ~3; // columns copied four at a time
    const jj = j0 + j;
    if (!transB) {
      // op(B)[p, j] = b[p·ldb + j]: each step is a contiguous run of cols floats.
      const pitch = (<usize>ldb) << 2;
      let src = b + ((<usize>p0 * ldb + jj) << 2);
      let out = dst;
      for (let p = 0; p < kc; p++) {
        let q = 0;
        for (; q < full; q += 4) v128.store(out + ((<usize>q) << 2), v128.load(src + ((<usize>q) << 2)));
        for (; q < cols; q++) store<f32>(out + ((<usize>q) << 2), load<f32>(src + ((<usize>q) << 2)));
        for (; q < NR; q++) store<f32>(out + ((<usize>q) << 2), 0);
        src += pitch;
        out += step;
      }
    } else {
      // op(B)[p, j] = b[j·ldb + p]: a column of the panel is contiguous, so transpose 4×4 blocks.
      const pitch = (<usize>ldb) << 2;
      for (let q = 0; q < full; q += 4) {
        let src = b + ((<usize>(jj + q) * ldb + p0) << 2);
        let out = dst + ((<usize>q) << 2);
        let p = 0;
        for (; p + 4 <= kc; p += 4) {
          storeTransposed(
            v128.load(src),
            v128.load(src + pitch),
            v128.load(src + 2 * pitch),
            v128.load(src + 3 * pitch),
            out,
            step,
          );
          src += 16;
          out += 4 * step;
        }
        for (; p < kc; p++) {
          store<f32>(out, load<f32>(src));
          store<f32>(out, load<f32>(src + pitch), 4);
          store<f32>(out, load<f32>(src + 2 * pitch), 8);
          store<f32>(out, load<f32>(src + 3 * pitch), 12);
          src += 4;
          out += step;
        }
      }
      for (let q = full; q < NR; q++) {
        let out = dst + ((<usize>q) << 2);
        let src = b + ((<usize>(jj + q) * ldb + p0) << 2);
        for (let p = 0; p < kc; p++) {
          store<f32>(out, q < cols ? load<f32>(src) : 0);
          src += 4;
          out += step;
        }
      }
    }
    dst += <usize>kc * step;
  }
}
