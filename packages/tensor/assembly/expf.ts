/**
 * exp on four float32 lanes, without lookup tables (no static data): Cody-Waite range reduction
 * x = n·ln2 + r, |r| ≤ ln2/2, then Cephes' degree-6 polynomial for e^r and 2^n from exponent bits.
 * Error ≤ 2 ulp. Results below ~1.8e-38 (x < -86.6) flush to 0 where float32 would still have a
 * subnormal: an absolute error under 2e-38. x > 88.72 gives +Infinity, NaN stays NaN.
 */
// @ts-ignore: decorator
@inline
export function expf4(x: v128): v128 {
  // log2(e) with Cephes' digits, more than a float64 holds (the rounding is the same either way).
  // eslint-disable-next-line no-loss-of-precision
  const n = f32x4.nearest(f32x4.mul(x, f32x4.splat(1.44269504088896341)));
  let r = f32x4.sub(x, f32x4.mul(n, f32x4.splat(0.693359375)));
  r = f32x4.sub(r, f32x4.mul(n, f32x4.splat(-2.1219444e-4)));
  let p = f32x4.splat(1.98756915e-4);
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.3981999507e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(8.3334519073e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(4.1665795894e-2));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.6666665459e-1));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(5.0000001201e-1));
  p = f32x4.add(f32x4.add(f32x4.mul(f32x4.mul(p, r), r), r), f32x4.splat(1));
  // 2^n as 2^(n-1)·2, so n = 128 (x just under the overflow threshold) stays finite.
  const scale = i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(n), i32x4.splat(126)), 23);
  let y = f32x4.mul(f32x4.mul(p, scale), f32x4.splat(2));
  y = v128.bitselect(f32x4.splat(0), y, f32x4.lt(x, f32x4.splat(-86.6)));
  y = v128.bitselect(f32x4.splat(Infinity), y, f32x4.gt(x, f32x4.splat(88.72283935546875)));
  return v128.bitselect(x, y, f32x4.ne(x, x));
}
