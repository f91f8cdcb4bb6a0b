/**
 * Dropout's mask applied, float32, four lanes at a time: out = x · scale where the uint8 mask is
 * non-zero and x · 0 where it is 0 (NaN stays NaN, as the book's `x * mask`); `mask` 0 means no mask
 * (test mode: x · scale). Branch-free: a random mask mispredicts every other branch.
 */
export function dropoutF32(x: usize, mask: usize, scale: f32, out: usize, n: i32): void {
  const s = f32x4.splat(scale);
  const zero = f32x4.splat(0);
  let i = 0;
  if (mask == 0) {
    for (; i + 4 <= n; i += 4) {
      const at = (<usize>i) << 2;
      v128.store(out + at, f32x4.mul(v128.load(x + at), s));
    }
    for (; i < n; i++) {
      const at = (<usize>i) << 2;
      store<f32>(out + at, load<f32>(x + at) * scale);
    }
    return;
  }
  for (; i + 4 <= n; i += 4) {
    const at = (<usize>i) << 2;
    // Four mask bytes widened to four 32-bit lanes.
    const m = i32x4.extend_low_i16x8_u(i16x8.extend_low_i8x16_u(v128.load32_zero(mask + <usize>i)));
    const v = v128.load(x + at);
    v128.store(out + at, v128.bitselect(f32x4.mul(v, zero), f32x4.mul(v, s), i32x4.eq(m, i32x4.splat(0))));
  }
  for (; i < n; i++) {
    const at = (<usize>i) << 2;
    const v = load<f32>(x + at);
    store<f32>(out + at, load<u8>(mask + <usize>i) != 0 ? v * scale : v * 0);
  }
}
