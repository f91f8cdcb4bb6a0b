import { expf4 } from './expf';

/**
 * The activation layers' kernels (ReLU and sigmoid, forward and backward), float32, four lanes at a
 * time. Branch-free on purpose: a ReLU over random signs mispredicts every other branch in a plain
 * loop (slow even in JavaScript, docs/benchmarks.md); a lane select costs nothing. Op codes are shared with
 * src/backend/wasm/op-codes.ts.
 */

export const RELU = 0;
export const SIGMOID = 1;

/** out = f(x) for i < n. */
export function activationF32(op: i32, x: usize, out: usize, n: i32): void {
  if (op == RELU) activationLoop(RELU, x, out, n);
  else activationLoop(SIGMOID, x, out, n);
}

/**
 * dx = dout · f'(saved): for ReLU `saved` is the forward's input (the gradient is 0 where x <= 0,
 * the book's mask); for sigmoid it is the forward's output y (dout · (1 - y) · y).
 */
export function activationBackwardF32(op: i32, saved: usize, dout: usize, dx: usize, n: i32): void {
  if (op == RELU) backwardLoop(RELU, saved, dout, dx, n);
  else backwardLoop(SIGMOID, saved, dout, dx, n);
}

// @ts-ignore: decorator
@inline
function forwardV(op: i32, x: v128): v128 {
  if (op == RELU) {
    // 0 where x <= 0; x elsewhere, NaN included (as np.maximum(0, x) and the book's mask).
    return v128.bitselect(f32x4.splat(0), x, f32x4.le(x, f32x4.splat(0)));
  }
  // 1 / (1 + e^-x) for x >= 0 and e^x / (1 + e^x) below: e^-|x| never overflows.
  const e = expf4(f32x4.neg(f32x4.abs(x)));
  const r = f32x4.div(f32x4.splat(1), f32x4.add(f32x4.splat(1), e));
  return v128.bitselect(r, f32x4.mul(e, r), f32x4.ge(x, f32x4.splat(0)));
}

// @ts-ignore: decorator
@inline
function backwardV(op: i32, saved: v128, dout: v128): v128 {
  if (op == RELU) return v128.bitselect(f32x4.splat(0), dout, f32x4.le(saved, f32x4.splat(0)));
  return f32x4.mul(f32x4.mul(dout, f32x4.sub(f32x4.splat(1), saved)), saved);
}

// @ts-ignore: decorator
@inline
function activationLoop(op: i32, x: usize, out: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const at = (<usize>i) << 2;
    v128.store(out + at, forwardV(op, v128.load(x + at)));
  }
  // The tail goes through the vector path one lane at a time, so it rounds the same way.
  for (; i < n; i++) {
    const at = (<usize>i) << 2;
    store<f32>(out + at, f32x4.extract_lane(forwardV(op, f32x4.splat(load<f32>(x + at))), 0));
  }
}

// @ts-ignore: decorator
@inline
function backwardLoop(op: i32, saved: usize, dout: usize, dx: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const at = (<usize>i) << 2;
    v128.store(dx + at, backwardV(op, v128.load(saved + at), v128.load(dout + at)));
  }
  for (; i < n; i++) {
    const at = (<usize>i) << 2;
    const v = backwardV(op, f32x4.splat(load<f32>(saved + at)), f32x4.splat(load<f32>(dout + at)));
    store<f32>(dx + at, f32x4.extract_lane(v, 0));
  }
}
