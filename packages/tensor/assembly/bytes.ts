/**
 * Bytes (0..255) to float32 `byte / scale`, sixteen at a time: widened to four i32x4, converted,
 * divided. IEEE division rounds the exact quotient once, so for a scale representable in float32
 * the result is the correctly rounded quotient: the value `@dl/data-mnist` stores for a pixel.
 */
export function scaleBytesF32(src: usize, scale: f32, out: usize, n: i32): void {
  const s = f32x4.splat(scale);
  let i = 0;
  for (; i + 16 <= n; i += 16) {
    const b = v128.load(src + <usize>i);
    const lo = i16x8.extend_low_i8x16_u(b);
    const hi = i16x8.extend_high_i8x16_u(b);
    const at = out + ((<usize>i) << 2);
    v128.store(at, f32x4.div(f32x4.convert_i32x4_u(i32x4.extend_low_i16x8_u(lo)), s));
    v128.store(at + 16, f32x4.div(f32x4.convert_i32x4_u(i32x4.extend_high_i16x8_u(lo)), s));
    v128.store(at + 32, f32x4.div(f32x4.convert_i32x4_u(i32x4.extend_low_i16x8_u(hi)), s));
    v128.store(at + 48, f32x4.div(f32x4.convert_i32x4_u(i32x4.extend_high_i16x8_u(hi)), s));
  }
  for (; i < n; i++) store<f32>(out + ((<usize>i) << 2), <f32>load<u8>(src + <usize>i) / scale);
}
