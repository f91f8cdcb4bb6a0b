/**
 * `a * b + c` on four float32 lanes. The relaxed-SIMD build (`--enable relaxed-simd`) emits one
 * `f32x4.relaxed_madd` (an FMA where the CPU has one: one rounding, so results differ from mul + add
 * in the last bit); the plain SIMD build emits a multiply and an add. `ASC_FEATURE_RELAXED_SIMD` is a
 * compile-time constant, so the untaken branch is never compiled.
 */
// @ts-ignore: decorator
@inline
export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}
