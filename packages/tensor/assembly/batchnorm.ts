/**
 * BatchNormalization's forward and backward, float32, on the input viewed as [n, D, S]: statistics
 * for each feature d over its n·S values (S = 1 per activation: consecutive values are consecutive
 * features; S = H·W per channel: each sample's S values of a feature are consecutive).
 *
 * Per-feature sums accumulate in f64 (each four-lane f32 vector, or f32 product, widened to two
 * f64x2), as the js reference's float64 accumulators; per-feature constants are worked out in f64 and
 * rounded to f32 once for the elementwise passes. The backward's dx is one pass,
 * `gamma/std · dout + (2/m)·dvar · xc - dmu/m`, with dmu summed analytically from Σdout and Σxc
 * (the book's two passes over dx, rearranged).
 */

// Elementwise passes, with per-feature constants c0, c1, c2.
const CENTER = 0; // p - c0
const NORMALIZE = 1; // p / c0
const AFFINE = 2; // c0·p + c1
const DX = 3; // c0·p + c1·q - c2

// @ts-ignore: decorator
@inline
function mapV(op: i32, p: v128, q: v128, c0: v128, c1: v128, c2: v128): v128 {
  if (op == CENTER) return f32x4.sub(p, c0);
  if (op == NORMALIZE) return f32x4.div(p, c0);
  if (op == AFFINE) return f32x4.add(f32x4.mul(c0, p), c1);
  return f32x4.sub(f32x4.add(f32x4.mul(c0, p), f32x4.mul(c1, q)), c2);
}

// @ts-ignore: decorator
@inline
function mapLoop(
  op: i32,
  n: i32,
  D: i32,
  S: i32,
  p: usize,
  q: usize,
  c0s: usize,
  c1s: usize,
  c2s: usize,
  out: usize,
): void {
  if (S == 1) {
    for (let k = 0; k < n; k++) {
      const row = (<usize>k * <usize>D) << 2;
      let d = 0;
      for (; d + 4 <= D; d += 4) {
        const at = row + ((<usize>d) << 2);
        const cd = (<usize>d) << 2;
        const c1 = op >= AFFINE ? v128.load(c1s + cd) : f32x4.splat(0);
        const c2 = op == DX ? v128.load(c2s + cd) : f32x4.splat(0);
        const qv = op == DX ? v128.load(q + at) : f32x4.splat(0);
        v128.store(out + at, mapV(op, v128.load(p + at), qv, v128.load(c0s + cd), c1, c2));
      }
      // The last features one lane at a time, through the same vector code.
      for (; d < D; d++) {
        const at = row + ((<usize>d) << 2);
        const cd = (<usize>d) << 2;
        const c1 = op >= AFFINE ? f32x4.splat(load<f32>(c1s + cd)) : f32x4.splat(0);
        const c2 = op == DX ? f32x4.splat(load<f32>(c2s + cd)) : f32x4.splat(0);
        const qv = op == DX ? f32x4.splat(load<f32>(q + at)) : f32x4.splat(0);
        const v = mapV(op, f32x4.splat(load<f32>(p + at)), qv, f32x4.splat(load<f32>(c0s + cd)), c1, c2);
        store<f32>(out + at, f32x4.extract_lane(v, 0));
      }
    }
    return;
  }
  for (let k = 0; k < n; k++) {
    for (let d = 0; d < D; d++) {
      const base = ((<usize>k * <usize>D + <usize>d) * <usize>S) << 2;
      const cd = (<usize>d) << 2;
      const c0 = f32x4.splat(load<f32>(c0s + cd));
      const c1 = op >= AFFINE ? f32x4.splat(load<f32>(c1s + cd)) : f32x4.splat(0);
      const c2 = op == DX ? f32x4.splat(load<f32>(c2s + cd)) : f32x4.splat(0);
      let s = 0;
      for (; s + 4 <= S; s += 4) {
        const at = base + ((<usize>s) << 2);
        const qv = op == DX ? v128.load(q + at) : f32x4.splat(0);
        v128.store(out + at, mapV(op, v128.load(p + at), qv, c0, c1, c2));
      }
      for (; s < S; s++) {
        const at = base + ((<usize>s) << 2);
        const qv = op == DX ? f32x4.splat(load<f32>(q + at)) : f32x4.splat(0);
        const v = mapV(op, f32x4.splat(load<f32>(p + at)), qv, c0, c1, c2);
        store<f32>(out + at, f32x4.extract_lane(v, 0));
      }
    }
  }
}

/** out = op(p, q) elementwise, with feature d's constants c0s[d], c1s[d], c2s[d] (f32). */
function featureMap(
  op: i32,
  n: i32,
  D: i32,
  S: i32,
  p: usize,
  q: usize,
  c0s: usize,
  c1s: usize,
  c2s: usize,
  out: usize,
): void {
  if (op == CENTER) mapLoop(CENTER, n, D, S, p, q, c0s, c1s, c2s, out);
  else if (op == NORMALIZE) mapLoop(NORMALIZE, n, D, S, p, q, c0s, c1s, c2s, out);
  else if (op == AFFINE) mapLoop(AFFINE, n, D, S, p, q, c0s, c1s, c2s, out);
  else mapLoop(DX, n, D, S, p, q, c0s, c1s, c2s, out);
}

// @ts-ignore: decorator
@inline
function widenAdd(lo: v128, v: v128): v128 {
  return f64x2.add(lo, f64x2.promote_low_f32x4(v));
}

// @ts-ignore: decorator
@inline
function high(v: v128): v128 {
  return f32x4.shuffle(v, v, 2, 3, 2, 3);
}

// @ts-ignore: decorator
@inline
function sumLoop(product: bool, n: i32, D: i32, S: i32, a: usize, b: usize, sums: usize): void {
  if (S == 1) {
    let d = 0;
    for (; d + 4 <= D; d += 4) {
      let lo = f64x2.splat(0);
      let hi = f64x2.splat(0);
      for (let k = 0; k < n; k++) {
        const at = (<usize>k * <usize>D + <usize>d) << 2;
        const v = product ? f32x4.mul(v128.load(a + at), v128.load(b + at)) : v128.load(a + at);
        lo = widenAdd(lo, v);
        hi = widenAdd(hi, high(v));
      }
      v128.store(sums + ((<usize>d) << 3), lo);
      v128.store(sums + ((<usize>d) << 3) + 16, hi);
    }
    for (; d < D; d++) {
      let acc: f64 = 0;
      for (let k = 0; k < n; k++) {
        const at = (<usize>k * <usize>D + <usize>d) << 2;
        acc += <f64>(product ? load<f32>(a + at) * load<f32>(b + at) : load<f32>(a + at));
      }
      store<f64>(sums + ((<usize>d) << 3), acc);
    }
    return;
  }
  for (let d = 0; d < D; d++) {
    let lo = f64x2.splat(0);
    let hi = f64x2.splat(0);
    let acc: f64 = 0;
    for (let k = 0; k < n; k++) {
      const base = ((<usize>k * <usize>D + <usize>d) * <usize>S) << 2;
      let s = 0;
      for (; s + 4 <= S; s += 4) {
        const at = base + ((<usize>s) << 2);
        const v = product ? f32x4.mul(v128.load(a + at), v128.load(b + at)) : v128.load(a + at);
        lo = widenAdd(lo, v);
        hi = widenAdd(hi, high(v));
      }
      for (; s < S; s++) {
        const at = base + ((<usize>s) << 2);
        acc += <f64>(product ? load<f32>(a + at) * load<f32>(b + at) : load<f32>(a + at));
      }
    }
    const lanes = f64x2.add(lo, hi);
    store<f64>(sums + ((<usize>d) << 3), acc + f64x2.extract_lane(lanes, 0) + f64x2.extract_lane(lanes, 1));
  }
}

/** sums[d] = Σ a (b == 0) or Σ a·b over feature d's values: f32 products, f64 sums. */
function featureSums(n: i32, D: i32, S: i32, a: usize, b: usize, sums: usize): void {
  if (b == 0) sumLoop(false, n, D, S, a, 0, sums);
  else sumLoop(true, n, D, S, a, b, sums);
}

// @ts-ignore: decorator
@inline
function f64At(p: usize, d: i32): f64 {
  return load<f64>(p + ((<usize>d) << 3));
}

// @ts-ignore: decorator
@inline
function f32At(p: usize, d: i32): f64 {
  return <f64>load<f32>(p + ((<usize>d) << 2));
}

// @ts-ignore: decorator
@inline
function setF32(p: usize, d: i32, v: f64): void {
  store<f32>(p + ((<usize>d) << 2), <f32>v);
}

/**
 * The forward (see js-batch-norm.ts). Train: batch mean and biased variance, running statistics
 * updated in place; test: the running statistics. `scratch` holds 44·D bytes.
 */
export function batchNormForwardF32(
  n: i32,
  D: i32,
  S: i32,
  train: i32,
  momentum: f64,
  eps: f64,
  x: usize,
  gamma: usize,
  beta: usize,
  runningMean: usize,
  runningVar: usize,
  xc: usize,
  xn: usize,
  std: usize,
  out: usize,
  scratch: usize,
): void {
  const m = <f64>n * <f64>S;
  const sumX = scratch;
  const sumSq = sumX + ((<usize>D) << 3);
  const mean = sumSq + ((<usize>D) << 3); // f32, for centering
  if (train) {
    featureSums(n, D, S, x, 0, sumX);
    for (let d = 0; d < D; d++) setF32(mean, d, f64At(sumX, d) / m);
    featureMap(CENTER, n, D, S, x, 0, mean, mean, mean, xc);
    featureSums(n, D, S, xc, xc, sumSq);
    for (let d = 0; d < D; d++) {
      const mu = f64At(sumX, d) / m;
      const v = f64At(sumSq, d) / m;
      setF32(std, d, Math.sqrt(v + eps));
      setF32(runningMean, d, momentum * f32At(runningMean, d) + (1 - momentum) * mu);
      setF32(runningVar, d, momentum * f32At(runningVar, d) + (1 - momentum) * v);
    }
  } else {
    for (let d = 0; d < D; d++) setF32(std, d, Math.sqrt(f32At(runningVar, d) + eps));
    featureMap(CENTER, n, D, S, x, 0, runningMean, runningMean, runningMean, xc);
  }
  featureMap(NORMALIZE, n, D, S, xc, 0, std, std, std, xn);
  featureMap(AFFINE, n, D, S, xn, 0, gamma, beta, beta, out);
}

/**
 * The backward (see js-batch-norm.ts): dgamma, dbeta and dx; after a test-mode forward the
 * statistics are constants and dx = dout · gamma / std. `scratch` holds 44·D bytes.
 */
export function batchNormBackwardF32(
  n: i32,
  D: i32,
  S: i32,
  train: i32,
  dout: usize,
  gamma: usize,
  xc: usize,
  xn: usize,
  std: usize,
  dgamma: usize,
  dbeta: usize,
  dx: usize,
  scratch: usize,
): void {
  const m = <f64>n * <f64>S;
  const D8 = (<usize>D) << 3;
  const sumDy = scratch;
  const sumXnDy = sumDy + D8;
  const sumDyXc = sumXnDy + D8;
  const sumXc = sumDyXc + D8;
  const cA = sumXc + D8; // f32: gamma / std
  const cB = cA + ((<usize>D) << 2); // f32: (2/m)·dvar
  const cC = cB + ((<usize>D) << 2); // f32: dmu / m
  featureSums(n, D, S, dout, 0, sumDy);
  featureSums(n, D, S, xn, dout, sumXnDy);
  if (train) {
    featureSums(n, D, S, dout, xc, sumDyXc);
    featureSums(n, D, S, xc, 0, sumXc);
  }
  for (let d = 0; d < D; d++) {
    setF32(dbeta, d, f64At(sumDy, d));
    setF32(dgamma, d, f64At(sumXnDy, d));
    const g = f32At(gamma, d);
    const sd = f32At(std, d);
    const a = g / sd;
    let b: f64 = 0;
    let c: f64 = 0;
    if (train) {
      const dstd = (g * f64At(sumDyXc, d)) / (sd * sd); // -dstd of the book
      const dvar = (0.5 * -dstd) / sd;
      b = (2 / m) * dvar;
      c = (a * f64At(sumDy, d) + b * f64At(sumXc, d)) / m;
    }
    setF32(cA, d, a);
    setF32(cB, d, b);
    setF32(cC, d, c);
  }
  featureMap(DX, n, D, S, dout, xc, cA, cB, cC, dx);
}
