import type { AnyTypedArray } from '../../dtype.js';
import type { BinaryArgs, BinaryOp, Kernels, ReduceArgs, UnaryOp } from '../kernels.js';
import { activationBackwardJs, activationJs } from './activation.js';
import { convBackwardJs, convForwardJs } from './conv.js';
import { gemmJs } from './gemm.js';
import { softmaxJs } from './softmax.js';
import {
  avgPoolBackwardInto,
  avgPoolInto,
  col2imInto,
  im2colInto,
  maxPoolBackwardInto,
  maxPoolInto,
} from './window.js';

/**
 * The reference backend: plain loops over typed arrays. It defines what every required kernel means;
 * other backends are tested against it. It offers no fused kernels (`Kernels.fused`): on it, layers
 * and optimizers run the book's code in their own files. Loops put the `switch` outside the element
 * loop so each op runs a tight, monomorphic loop.
 */

function unary(op: UnaryOp, x: AnyTypedArray, out: AnyTypedArray): void {
  const n = x.length;
  switch (op) {
    case 'neg':
      for (let i = 0; i < n; i++) out[i] = -x[i]!;
      return;
    case 'abs':
      for (let i = 0; i < n; i++) out[i] = Math.abs(x[i]!);
      return;
    case 'exp':
      for (let i = 0; i < n; i++) out[i] = Math.exp(x[i]!);
      return;
    case 'log':
      for (let i = 0; i < n; i++) out[i] = Math.log(x[i]!);
      return;
    case 'sqrt':
      for (let i = 0; i < n; i++) out[i] = Math.sqrt(x[i]!);
      return;
    case 'square':
      for (let i = 0; i < n; i++) out[i] = x[i]! * x[i]!;
      return;
    case 'tanh':
      for (let i = 0; i < n; i++) out[i] = Math.tanh(x[i]!);
      return;
    case 'sign':
      for (let i = 0; i < n; i++) out[i] = Math.sign(x[i]!);
      return;
    case 'reciprocal':
      for (let i = 0; i < n; i++) out[i] = 1 / x[i]!;
      return;
  }
}

/** One contiguous run of a binary op: `out[o + i] = a[ia + i*sa] op b[ib + i*sb]`. */
function binaryRun(
  op: BinaryOp,
  a: AnyTypedArray,
  ia: number,
  sa: number,
  b: AnyTypedArray,
  ib: number,
  sb: number,
  out: AnyTypedArray,
  o: number,
  n: number,
): void {
  switch (op) {
    case 'add':
      for (let i = 0; i < n; i++) out[o + i] = a[ia + i * sa]! + b[ib + i * sb]!;
      return;
    case 'sub':
      for (let i = 0; i < n; i++) out[o + i] = a[ia + i * sa]! - b[ib + i * sb]!;
      return;
    case 'mul':
      for (let i = 0; i < n; i++) out[o + i] = a[ia + i * sa]! * b[ib + i * sb]!;
      return;
    case 'div':
      for (let i = 0; i < n; i++) out[o + i] = a[ia + i * sa]! / b[ib + i * sb]!;
      return;
    case 'pow':
      for (let i = 0; i < n; i++) out[o + i] = a[ia + i * sa]! ** b[ib + i * sb]!;
      return;
    case 'maximum':
      // NaN propagates, as in NumPy's maximum.
      for (let i = 0; i < n; i++) out[o + i] = Math.max(a[ia + i * sa]!, b[ib + i * sb]!);
      return;
    case 'minimum':
      for (let i = 0; i < n; i++) out[o + i] = Math.min(a[ia + i * sa]!, b[ib + i * sb]!);
      return;
    case 'equal':
      for (let i = 0; i < n; i++) out[o + i] = a[ia + i * sa] === b[ib + i * sb] ? 1 : 0;
      return;
    case 'notEqual':
      for (let i = 0; i < n; i++) out[o + i] = a[ia + i * sa] !== b[ib + i * sb] ? 1 : 0;
      return;
    case 'greater':
      for (let i = 0; i < n; i++) out[o + i] = a[ia + i * sa]! > b[ib + i * sb]! ? 1 : 0;
      return;
    case 'greaterEqual':
      for (let i = 0; i < n; i++) out[o + i] = a[ia + i * sa]! >= b[ib + i * sb]! ? 1 : 0;
      return;
    case 'less':
      for (let i = 0; i < n; i++) out[o + i] = a[ia + i * sa]! < b[ib + i * sb]! ? 1 : 0;
      return;
    case 'lessEqual':
      for (let i = 0; i < n; i++) out[o + i] = a[ia + i * sa]! <= b[ib + i * sb]! ? 1 : 0;
      return;
  }
}

function binary({ op, a, aStrides, b, bStrides, out, outShape }: BinaryArgs): void {
  const rank = outShape.length;
  if (rank === 0) {
    binaryRun(op, a, 0, 0, b, 0, 0, out, 0, 1);
    return;
  }
  const inner = outShape[rank - 1]!;
  const total = out.length;
  if (inner === 0 || total === 0) return;
  const sa = aStrides[rank - 1]!;
  const sb = bStrides[rank - 1]!;
  // Walk the outer axes with an odometer; each step runs one contiguous inner row.
  const index = new Array<number>(rank).fill(0);
  let ia = 0;
  let ib = 0;
  for (let o = 0; o < total; o += inner) {
    binaryRun(op, a, ia, sa, b, ib, sb, out, o, inner);
    for (let axis = rank - 2; axis >= 0; axis--) {
      index[axis]!++;
      ia += aStrides[axis]!;
      ib += bStrides[axis]!;
      if (index[axis]! < outShape[axis]!) break;
      ia -= aStrides[axis]! * outShape[axis]!;
      ib -= bStrides[axis]! * outShape[axis]!;
      index[axis] = 0;
    }
  }
}

function reduce({ op, x, outer, length, inner, out }: ReduceArgs): void {
  // Sums accumulate in float64 so a float32 sum of many terms does not drift.
  const acc = op === 'sum' ? new Float64Array(inner) : undefined;
  for (let o = 0; o < outer; o++) {
    const base = o * length * inner;
    const dst = o * inner;
    switch (op) {
      case 'sum':
        acc!.fill(0);
        for (let k = 0; k < length; k++) {
          const row = base + k * inner;
          for (let i = 0; i < inner; i++) acc![i]! += x[row + i]!;
        }
        for (let i = 0; i < inner; i++) out[dst + i] = acc![i]!;
        break;
      case 'max':
      case 'min': {
        const isMax = op === 'max';
        for (let i = 0; i < inner; i++) {
          let best = x[base + i]!;
          for (let k = 1; k < length && !Number.isNaN(best); k++) {
            const v = x[base + k * inner + i]!;
            if (Number.isNaN(v) || (isMax ? v > best : v < best)) best = v;
          }
          out[dst + i] = best;
        }
        break;
      }
      case 'argmax':
      case 'argmin': {
        const isMax = op === 'argmax';
        for (let i = 0; i < inner; i++) {
          let best = x[base + i]!;
          let at = 0;
          for (let k = 1; k < length && !Number.isNaN(best); k++) {
            const v = x[base + k * inner + i]!;
            if (Number.isNaN(v) || (isMax ? v > best : v < best)) {
              best = v;
              at = k;
            }
          }
          out[dst + i] = at;
        }
        break;
      }
    }
  }
}

export const jsKernels: Kernels = {
  name: 'js',
  gemm: gemmJs,
  unary,
  binary,
  reduce,
  activation: activationJs,
  activationBackward: activationBackwardJs,
  im2col: im2colInto,
  col2im: col2imInto,
  maxPool: maxPoolInto,
  maxPoolBackward: maxPoolBackwardInto,
  avgPool: avgPoolInto,
  avgPoolBackward: avgPoolBackwardInto,
  convForward: convForwardJs,
  convBackward: convBackwardJs,
  softmax: softmaxJs,
};
