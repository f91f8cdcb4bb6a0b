import { expf4 } from './expf';

/**
 * Elementwise float32 kernels. Op codes are shared with src/backend/wasm/op-codes.ts. Each exported
 * function switches on the op once and runs a loop specialised for it (the `@inline` helpers get a
 * constant op, which the optimiser folds), four lanes at a time with a scalar tail.
 */

export const NEG = 0;
export const ABS = 1;
export const SQRT = 2;
export const SQUARE = 3;
export const RECIPROCAL = 4;
export const SIGN = 5;
export const EXP = 6;

/** out[i] = op(x[i]) for i < n. */
export function unaryF32(op: i32, x: usize, out: usize, n: i32): void {
  switch (op) {
    case NEG:
      unaryLoop(NEG, x, out, n);
      break;
    case ABS:
      unaryLoop(ABS, x, out, n);
      break;
    case SQRT:
      unaryLoop(SQRT, x, out, n);
      break;
    case SQUARE:
      unaryLoop(SQUARE, x, out, n);
      break;
    case RECIPROCAL:
      unaryLoop(RECIPROCAL, x, out, n);
      break;
    case SIGN:
      unaryLoop(SIGN, x, out, n);
      break;
    case EXP:
      unaryLoop(EXP, x, out, n);
      break;
    default:
      unreachable();
  }
}

// @ts-ignore: decorator
@inline
function unaryV(op: i32, x: v128): v128 {
  switch (op) {
    case NEG:
      return f32x4.neg(x);
    case ABS:
      return f32x4.abs(x);
    case SQRT:
      return f32x4.sqrt(x);
    case SQUARE:
      return f32x4.mul(x, x);
    case RECIPROCAL:
      return f32x4.div(f32x4.splat(1), x);
    case SIGN: {
      // 1 where x > 0, -1 where x < 0, x itself otherwise (±0 and NaN), as Math.sign.
      const y = v128.bitselect(f32x4.splat(1), x, f32x4.gt(x, f32x4.splat(0)));
      return v128.bitselect(f32x4.splat(-1), y, f32x4.lt(x, f32x4.splat(0)));
    }
    default:
      return expf4(x);
  }
}

// @ts-ignore: decorator
@inline
function unaryLoop(op: i32, x: usize, out: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const at = (<usize>i) << 2;
    v128.store(out + at, unaryV(op, v128.load(x + at)));
  }
  if (i < n) {
    // The tail goes through the vector path too, one lane at a time, so it rounds the same way.
    for (; i < n; i++) {
      const at = (<usize>i) << 2;
      store<f32>(out + at, f32x4.extract_lane(unaryV(op, f32x4.splat(load<f32>(x + at))), 0));
    }
  }
}

export const ADD = 0;
export const SUB = 1;
export const MUL = 2;
export const DIV = 3;
export const MAXIMUM = 4;
export const MINIMUM = 5;

// @ts-ignore: decorator
@inline
function binaryV(op: i32, a: v128, b: v128): v128 {
  switch (op) {
    case ADD:
      return f32x4.add(a, b);
    case SUB:
      return f32x4.sub(a, b);
    case MUL:
      return f32x4.mul(a, b);
    case DIV:
      return f32x4.div(a, b);
    // f32x4.max/min propagate NaN and order -0 < +0, as Math.max/min.
    case MAXIMUM:
      return f32x4.max(a, b);
    default:
      return f32x4.min(a, b);
  }
}

/**
 * A broadcast binary op over a 2-D view: out[o·inner + i] = a[o·sa + i·ia] op b[o·sb + i·ib], where
 * the inner strides ia, ib are 1 (contiguous) or 0 (broadcast). The JS side collapses any broadcast
 * to blocks of this form.
 */
export function binaryF32(
  op: i32,
  outer: i32,
  inner: i32,
  a: usize,
  sa: i32,
  ia: i32,
  b: usize,
  sb: i32,
  ib: i32,
  out: usize,
): void {
  switch (op) {
    case ADD:
      binaryRows(ADD, outer, inner, a, sa, ia, b, sb, ib, out);
      break;
    case SUB:
      binaryRows(SUB, outer, inner, a, sa, ia, b, sb, ib, out);
      break;
    case MUL:
      binaryRows(MUL, outer, inner, a, sa, ia, b, sb, ib, out);
      break;
    case DIV:
      binaryRows(DIV, outer, inner, a, sa, ia, b, sb, ib, out);
      break;
    case MAXIMUM:
      binaryRows(MAXIMUM, outer, inner, a, sa, ia, b, sb, ib, out);
      break;
    case MINIMUM:
      binaryRows(MINIMUM, outer, inner, a, sa, ia, b, sb, ib, out);
      break;
    default:
      unreachable();
  }
}

// @ts-ignore: decorator
@inline
function binaryRows(
  op: i32,
  outer: i32,
  inner: i32,
  a: usize,
  sa: i32,
  ia: i32,
  b: usize,
  sb: i32,
  ib: i32,
  out: usize,
): void {
  for (let o = 0; o < outer; o++) {
    const pa = a + ((<usize>o * sa) << 2);
    const pb = b + ((<usize>o * sb) << 2);
    const po = out + ((<usize>o * inner) << 2);
    if (ia != 0 && ib != 0) binaryRow(op, inner, pa, true, pb, true, po);
    else if (ia != 0) binaryRow(op, inner, pa, true, pb, false, po);
    else if (ib != 0) binaryRow(op, inner, pa, false, pb, true, po);
    else binaryRow(op, inner, pa, false, pb, false, po);
  }
}

/** One row; `aRuns`/`bRuns` false means that operand is one value repeated (broadcast). */
// @ts-ignore: decorator
@inline
function binaryRow(op: i32, n: i32, a: usize, aRuns: bool, b: usize, bRuns: bool, out: usize): void {
  const va = v128.load32_splat(a);
  const vb = v128.load32_splat(b);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const at = (<usize>i) << 2;
    const x = aRuns ? v128.load(a + at) : va;
    const y = bRuns ? v128.load(b + at) : vb;
    v128.store(out + at, binaryV(op, x, y));
  }
  for (; i < n; i++) {
    const at = (<usize>i) << 2;
    const x = aRuns ? v128.load32_splat(a + at) : va;
    const y = bRuns ? v128.load32_splat(b + at) : vb;
    store<f32>(out + at, f32x4.extract_lane(binaryV(op, x, y), 0));
  }
}

export const EQUAL = 0;
export const NOT_EQUAL = 1;
export const GREATER = 2;
export const GREATER_EQUAL = 3;
export const LESS = 4;
export const LESS_EQUAL = 5;

// @ts-ignore: decorator
@inline
function compareV(op: i32, a: v128, b: v128): v128 {
  switch (op) {
    case EQUAL:
      return f32x4.eq(a, b);
    case NOT_EQUAL:
      return f32x4.ne(a, b);
    case GREATER:
      return f32x4.gt(a, b);
    case GREATER_EQUAL:
      return f32x4.ge(a, b);
    case LESS:
      return f32x4.lt(a, b);
    default:
      return f32x4.le(a, b);
  }
}

/** Like binaryF32 for comparisons of float32 values: out is uint8, 1 where true, 0 elsewhere. */
export function compareF32(
  op: i32,
  outer: i32,
  inner: i32,
  a: usize,
  sa: i32,
  ia: i32,
  b: usize,
  sb: i32,
  ib: i32,
  out: usize,
): void {
  switch (op) {
    case EQUAL:
      compareRows(EQUAL, outer, inner, a, sa, ia, b, sb, ib, out);
      break;
    case NOT_EQUAL:
      compareRows(NOT_EQUAL, outer, inner, a, sa, ia, b, sb, ib, out);
      break;
    case GREATER:
      compareRows(GREATER, outer, inner, a, sa, ia, b, sb, ib, out);
      break;
    case GREATER_EQUAL:
      compareRows(GREATER_EQUAL, outer, inner, a, sa, ia, b, sb, ib, out);
      break;
    case LESS:
      compareRows(LESS, outer, inner, a, sa, ia, b, sb, ib, out);
      break;
    case LESS_EQUAL:
      compareRows(LESS_EQUAL, outer, inner, a, sa, ia, b, sb, ib, out);
      break;
    default:
      unreachable();
  }
}

// @ts-ignore: decorator
@inline
function compareRows(
  op: i32,
  outer: i32,
  inner: i32,
  a: usize,
  sa: i32,
  ia: i32,
  b: usize,
  sb: i32,
  ib: i32,
  out: usize,
): void {
  for (let o = 0; o < outer; o++) {
    const pa = a + ((<usize>o * sa) << 2);
    const pb = b + ((<usize>o * sb) << 2);
    const po = out + <usize>o * inner;
    if (ia != 0 && ib != 0) compareRow(op, inner, pa, true, pb, true, po);
    else if (ia != 0) compareRow(op, inner, pa, true, pb, false, po);
    else if (ib != 0) compareRow(op, inner, pa, false, pb, true, po);
    else compareRow(op, inner, pa, false, pb, false, po);
  }
}

// @ts-ignore: decorator
@inline
function compareRow(op: i32, n: i32, a: usize, aRuns: bool, b: usize, bRuns: bool, out: usize): void {
  const va = v128.load32_splat(a);
  const vb = v128.load32_splat(b);
  const one = i8x16.splat(1);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const at = (<usize>i) << 2;
    const x = aRuns ? v128.load(a + at) : va;
    const y = bRuns ? v128.load(b + at) : vb;
    // Lane masks (-1 / 0) narrowed from 32 to 8 bits, then 1 / 0; the low 4 bytes are our 4 results.
    const m = compareV(op, x, y);
    const bytes = v128.and(i8x16.narrow_i16x8_s(i16x8.narrow_i32x4_s(m, m), i16x8.splat(0)), one);
    v128.store32_lane(out + <usize>i, bytes, 0);
  }
  for (; i < n; i++) {
    const at = (<usize>i) << 2;
    const x = aRuns ? v128.load32_splat(a + at) : va;
    const y = bRuns ? v128.load32_splat(b + at) : vb;
    store<u8>(out + <usize>i, <u8>(i32x4.extract_lane(compareV(op, x, y), 0) & 1));
  }
}
