import { expf4 } from './expf';

/**
 * Softmax over rows and SoftmaxWithLoss's backward, float32, four lanes at a time. Row tails go
 * through the vector code one lane at a time, so every element rounds the same way.
 */

// @ts-ignore: decorator
@inline
function hmax(v: v128): f32 {
  // f32.max (as Math.max) propagates NaN.
  const a = Mathf.max(f32x4.extract_lane(v, 0), f32x4.extract_lane(v, 1));
  const b = Mathf.max(f32x4.extract_lane(v, 2), f32x4.extract_lane(v, 3));
  return Mathf.max(a, b);
}

// @ts-ignore: decorator
@inline
function hsum(v: v128): f32 {
  const a = f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1);
  return a + (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3));
}

/** out = exp(x - max) / Σ exp(x - max) for each of `rows` rows of `classes` floats. */
export function softmaxF32(x: usize, rows: i32, classes: i32, out: usize): void {
  const rowBytes = (<usize>classes) << 2;
  for (let r = 0; r < rows; r++) {
    const a = x + <usize>r * rowBytes;
    const o = out + <usize>r * rowBytes;
    let vmax = f32x4.splat(-Infinity);
    let j = 0;
    for (; j + 4 <= classes; j += 4) vmax = f32x4.max(vmax, v128.load(a + ((<usize>j) << 2)));
    let max = hmax(vmax);
    for (; j < classes; j++) max = Mathf.max(max, load<f32>(a + ((<usize>j) << 2)));
    const m = f32x4.splat(max);
    let vsum = f32x4.splat(0);
    j = 0;
    for (; j + 4 <= classes; j += 4) {
      const at = (<usize>j) << 2;
      const e = expf4(f32x4.sub(v128.load(a + at), m));
      v128.store(o + at, e);
      vsum = f32x4.add(vsum, e);
    }
    let sum = hsum(vsum);
    for (; j < classes; j++) {
      const at = (<usize>j) << 2;
      const e = f32x4.extract_lane(expf4(f32x4.sub(f32x4.splat(load<f32>(a + at)), m)), 0);
      store<f32>(o + at, e);
      sum += e;
    }
    const s = f32x4.splat(sum);
    j = 0;
    for (; j + 4 <= classes; j += 4) {
      const at = (<usize>j) << 2;
      v128.store(o + at, f32x4.div(v128.load(o + at), s));
    }
    for (; j < classes; j++) {
      const at = (<usize>j) << 2;
      store<f32>(o + at, load<f32>(o + at) / sum);
    }
  }
}

/**
 * dx = (y - onehot(labels)) / rows: every entry divided by rows, then each label's entry rewritten
 * as (y - 1) / rows (what the book's subtract-then-divide gives). Labels are valid (JS checks).
 */
export function softmaxCrossEntropyBackwardF32(
  y: usize,
  labels: usize,
  rows: i32,
  classes: i32,
  dx: usize,
): void {
  const n = rows * classes;
  const nf = <f32>rows;
  const s = f32x4.splat(nf);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const at = (<usize>i) << 2;
    v128.store(dx + at, f32x4.div(v128.load(y + at), s));
  }
  for (; i < n; i++) {
    const at = (<usize>i) << 2;
    store<f32>(dx + at, load<f32>(y + at) / nf);
  }
  for (let r = 0; r < rows; r++) {
    const at = (<usize>(r * classes + load<i32>(labels + ((<usize>r) << 2)))) << 2;
    store<f32>(dx + at, (load<f32>(y + at) - 1) / nf);
  }
}
