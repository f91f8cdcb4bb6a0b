/**
 * Float32 reductions of the middle axis of x viewed as [outer, length, inner] into out [outer, inner],
 * with the js kernel's semantics: sums accumulate in float64; max/min propagate NaN; argmax/argmin
 * return the first index of the extreme value, or of the first NaN. Op codes are shared with
 * src/backend/wasm/op-codes.ts.
 */

export const SUM = 0;
export const MAX = 1;
export const MIN = 2;
export const ARGMAX = 3;
export const ARGMIN = 4;

/** `scratch` holds `inner` float64 partial sums (only SUM with inner > 1 uses it). */
export function reduceF32(
  op: i32,
  x: usize,
  outer: i32,
  length: i32,
  inner: i32,
  out: usize,
  scratch: usize,
): void {
  if (length <= 0 || inner <= 0) return;
  const slab = (<usize>length * inner) << 2;
  for (let o = 0; o < outer; o++) {
    const src = x + <usize>o * slab;
    const dst = out + ((<usize>o * inner) << 2);
    switch (op) {
      case SUM:
        if (inner == 1) store<f32>(dst, <f32>sumRow(src, length));
        else sumColumns(src, length, inner, dst, scratch);
        break;
      case MAX:
        if (inner == 1) store<f32>(dst, extremeRow(true, src, length));
        else extremeColumns(true, src, length, inner, dst);
        break;
      case MIN:
        if (inner == 1) store<f32>(dst, extremeRow(false, src, length));
        else extremeColumns(false, src, length, inner, dst);
        break;
      case ARGMAX:
        argColumns(true, src, length, inner, dst);
        break;
      case ARGMIN:
        argColumns(false, src, length, inner, dst);
        break;
      default:
        unreachable();
    }
  }
}

/** Σ of n contiguous floats, in float64 (four partial sums, two lanes each). */
function sumRow(p: usize, n: i32): f64 {
  let lo = f64x2.splat(0);
  let hi = f64x2.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const v = v128.load(p + ((<usize>i) << 2));
    lo = f64x2.add(lo, f64x2.promote_low_f32x4(v));
    hi = f64x2.add(hi, f64x2.promote_low_f32x4(f32x4.shuffle(v, v, 2, 3, 0, 1)));
  }
  const both = f64x2.add(lo, hi);
  let s = f64x2.extract_lane(both, 0) + f64x2.extract_lane(both, 1);
  for (; i < n; i++) s += <f64>load<f32>(p + ((<usize>i) << 2));
  return s;
}

/** out[i] = Σk x[k·inner + i], accumulated in float64 in `acc`, two columns at a time. */
function sumColumns(x: usize, length: i32, inner: i32, out: usize, acc: usize): void {
  const pairs = inner & ~1;
  for (let i = 0; i < inner; i++) store<f64>(acc + ((<usize>i) << 3), 0);
  for (let k = 0; k < length; k++) {
    const row = x + ((<usize>k * inner) << 2);
    let i = 0;
    for (; i < pairs; i += 2) {
      const at = acc + ((<usize>i) << 3);
      const pair = f64x2.promote_low_f32x4(v128.load64_zero(row + ((<usize>i) << 2)));
      v128.store(at, f64x2.add(v128.load(at), pair));
    }
    if (i < inner) {
      const at = acc + ((<usize>i) << 3);
      store<f64>(at, load<f64>(at) + <f64>load<f32>(row + ((<usize>i) << 2)));
    }
  }
  for (let i = 0; i < inner; i++)
    store<f32>(out + ((<usize>i) << 2), <f32>load<f64>(acc + ((<usize>i) << 3)));
}

// @ts-ignore: decorator
@inline
function extremeV(isMax: bool, a: v128, b: v128): v128 {
  return isMax ? f32x4.max(a, b) : f32x4.min(a, b);
}

// @ts-ignore: decorator
@inline
function extremeS(isMax: bool, a: f32, b: f32): f32 {
  return isMax ? max<f32>(a, b) : min<f32>(a, b);
}

/** max or min of n ≥ 1 contiguous floats; NaN if any is NaN. */
function extremeRow(isMax: bool, p: usize, n: i32): f32 {
  let best = load<f32>(p);
  let i = 0;
  if (n >= 4) {
    let v = v128.load(p);
    for (i = 4; i + 4 <= n; i += 4) v = extremeV(isMax, v, v128.load(p + ((<usize>i) << 2)));
    v = extremeV(isMax, v, f32x4.shuffle(v, v, 2, 3, 0, 1));
    v = extremeV(isMax, v, f32x4.shuffle(v, v, 1, 0, 3, 2));
    best = f32x4.extract_lane(v, 0);
  }
  for (; i < n; i++) best = extremeS(isMax, best, load<f32>(p + ((<usize>i) << 2)));
  return best;
}

/** out[i] = max or min over k of x[k·inner + i]. */
function extremeColumns(isMax: bool, x: usize, length: i32, inner: i32, out: usize): void {
  const quads = inner & ~3;
  for (let i = 0; i < quads; i += 4) {
    let p = x + ((<usize>i) << 2);
    let v = v128.load(p);
    for (let k = 1; k < length; k++) {
      p += (<usize>inner) << 2;
      v = extremeV(isMax, v, v128.load(p));
    }
    v128.store(out + ((<usize>i) << 2), v);
  }
  for (let i = quads; i < inner; i++) {
    let p = x + ((<usize>i) << 2);
    let best = load<f32>(p);
    for (let k = 1; k < length; k++) {
      p += (<usize>inner) << 2;
      best = extremeS(isMax, best, load<f32>(p));
    }
    store<f32>(out + ((<usize>i) << 2), best);
  }
}

/** out[i] (int32) = first k of the extreme x[k·inner + i], or of the first NaN. */
function argColumns(isMax: bool, x: usize, length: i32, inner: i32, out: usize): void {
  const pitch = (<usize>inner) << 2;
  for (let i = 0; i < inner; i++) {
    let p = x + ((<usize>i) << 2);
    let best = load<f32>(p);
    let at = 0;
    for (let k = 1; k < length && best == best; k++) {
      p += pitch;
      const v = load<f32>(p);
      if (v != v || (isMax ? v > best : v < best)) {
        best = v;
        at = k;
      }
    }
    store<i32>(out + ((<usize>i) << 2), at);
  }
}
