import { type DType } from '../dtype.js';
import { allocate, isDeviceResident } from '../allocate.js';
import { div } from './elementwise.js';
import { backendOf, getBackend } from '../backend/index.js';
import type { ReduceOp } from '../backend/kernels.js';
import { ShapeError, normalizeAxes, normalizeAxis, shapeToString, sizeOf } from '../shape.js';
import { Tensor } from '../tensor.js';

/**
 * Reductions with NumPy's `axis` and `keepdims`: `axis` may be one axis, a list, or omitted (all
 * axes). Each axis is reduced in turn by the backend's single-axis kernel.
 */
export interface ReduceOptions {
  axis?: number | readonly number[] | undefined;
  keepdims?: boolean | undefined;
}

/** Reduces one axis, keeping it as length 1. */
function reduceAxis<D extends DType>(op: ReduceOp, x: Tensor<D>, axis: number, dtype: DType): Tensor {
  const outer = sizeOf(x.shape.slice(0, axis));
  const length = x.shape[axis]!;
  const inner = sizeOf(x.shape.slice(axis + 1));
  const shape = x.shape.map((d, i) => (i === axis ? 1 : d));
  const tie = backendOf(op, x);
  const out = new Tensor(allocate(dtype, outer * inner, tie), shape, dtype, tie);
  (tie ?? getBackend()).reduce({ op, x: x.operand, outer, length, inner, out: out.operand });
  return out;
}

function reduceMany<D extends DType>(
  name: string,
  op: ReduceOp,
  x: Tensor<D>,
  options: ReduceOptions,
): Tensor<D> {
  const axes = normalizeAxes(name, options.axis, x.ndim);
  if (op !== 'sum') {
    for (const a of axes) {
      if (x.shape[a] === 0) {
        throw new ShapeError(
          `${name}: cannot reduce an empty axis ${a} of shape ${shapeToString(x.shape)} (no identity)`,
        );
      }
    }
  }
  let result: Tensor = x;
  if (axes.length === x.ndim && x.ndim > 0) {
    // All axes at once: one pass over the flat data.
    result = reduceAxis(op, x.reshape(1, x.size, 1), 1, x.dtype).reshape(x.shape.map(() => 1));
  } else {
    for (let i = axes.length - 1; i >= 0; i--) result = reduceAxis(op, result, axes[i]!, x.dtype);
  }
  const shape = options.keepdims ? result.shape : x.shape.filter((_, i) => !axes.includes(i));
  return result.reshape(shape) as Tensor<D>;
}

export function sum<D extends DType>(x: Tensor<D>, options: ReduceOptions = {}): Tensor<D> {
  return reduceMany('sum', 'sum', x, options);
}

export function max<D extends DType>(x: Tensor<D>, options: ReduceOptions = {}): Tensor<D> {
  return reduceMany('max', 'max', x, options);
}

export function min<D extends DType>(x: Tensor<D>, options: ReduceOptions = {}): Tensor<D> {
  return reduceMany('min', 'min', x, options);
}

/** Arithmetic mean; an empty reduction gives NaN, like NumPy. */
export function mean<D extends DType>(x: Tensor<D>, options: ReduceOptions = {}): Tensor<D> {
  const axes = normalizeAxes('mean', options.axis, x.ndim);
  const count = axes.reduce((n, a) => n * x.shape[a]!, 1);
  const total = sum(x, options);
  if (isDeviceResident(total.backend)) return div(total, count, total);
  const td = total.data;
  for (let i = 0; i < total.size; i++) td[i] = td[i]! / count;
  return total;
}

/** Variance, biased by default (`ddof: 0`, NumPy's default and what BatchNorm uses). */
export function variance<D extends DType>(
  x: Tensor<D>,
  options: ReduceOptions & { ddof?: number } = {},
): Tensor<D> {
  const axes = normalizeAxes('var', options.axis, x.ndim);
  const count = axes.reduce((n, a) => n * x.shape[a]!, 1);
  const m = mean(x, { axis: axes, keepdims: true });
  const centred = x.sub(m);
  const total = sum(centred.mul(centred), options);
  const denom = count - (options.ddof ?? 0);
  if (isDeviceResident(total.backend)) return div(total, denom, total);
  const td = total.data;
  for (let i = 0; i < total.size; i++) td[i] = td[i]! / denom;
  return total;
}

function argReduce(
  name: string,
  op: 'argmax' | 'argmin',
  x: Tensor,
  axis: number | undefined,
  keepdims: boolean,
): Tensor<'int32'> {
  if (axis === undefined) {
    if (x.size === 0) throw new ShapeError(`${name}: attempt to get ${name} of an empty sequence`);
    const flat = reduceAxis(op, x.reshape(1, x.size, 1), 1, 'int32') as Tensor<'int32'>;
    return flat.reshape(keepdims ? x.shape.map(() => 1) : []);
  }
  const a = normalizeAxis(name, axis, x.ndim);
  if (x.shape[a] === 0)
    throw new ShapeError(`${name}: axis ${a} of shape ${shapeToString(x.shape)} is empty`);
  const out = reduceAxis(op, x, a, 'int32') as Tensor<'int32'>;
  return keepdims ? out : out.reshape(x.shape.filter((_, i) => i !== a));
}

/** Index of the largest value along `axis` (of the flattened tensor if omitted); the first wins a tie. */
export function argmax(
  x: Tensor,
  options: { axis?: number | undefined; keepdims?: boolean } = {},
): Tensor<'int32'> {
  return argReduce('argmax', 'argmax', x, options.axis, options.keepdims ?? false);
}

export function argmin(
  x: Tensor,
  options: { axis?: number | undefined; keepdims?: boolean } = {},
): Tensor<'int32'> {
  return argReduce('argmin', 'argmin', x, options.axis, options.keepdims ?? false);
}
