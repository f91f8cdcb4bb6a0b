import { dtypeOfArray, type AnyTypedArray, type DType, type TypedArrayOf } from './dtype.js';
import { allocate, allocateFilled } from './allocate.js';
import { ShapeError, assertValidShape, shapeToString, sizeOf, type Shape } from './shape.js';
import { Tensor, type NestedArray } from './tensor.js';

/** Creating tensors. The dtype defaults to `float32` everywhere, as in the networks. */

export function zeros<D extends DType = 'float32'>(shape: Shape, dtype?: D): Tensor<D> {
  assertValidShape('zeros', shape);
  const dt = (dtype ?? 'float32') as D;
  return new Tensor(allocate(dt, sizeOf(shape)), shape, dt);
}

export function ones<D extends DType = 'float32'>(shape: Shape, dtype?: D): Tensor<D> {
  return full(shape, 1, dtype);
}

export function full<D extends DType = 'float32'>(shape: Shape, value: number, dtype?: D): Tensor<D> {
  assertValidShape('full', shape);
  const dt = (dtype ?? 'float32') as D;
  return new Tensor(
    allocateFilled(dt, sizeOf(shape), (a) => a.fill(value)),
    shape,
    dt,
  );
}

export function zerosLike<D extends DType>(x: Tensor<D>): Tensor<D> {
  return zeros(x.shape, x.dtype);
}

export function onesLike<D extends DType>(x: Tensor<D>): Tensor<D> {
  return ones(x.shape, x.dtype);
}

export function fullLike<D extends DType>(x: Tensor<D>, value: number): Tensor<D> {
  return full(x.shape, value, x.dtype);
}

/** The n×n identity matrix. */
export function eye<D extends DType = 'float32'>(n: number, dtype?: D): Tensor<D> {
  assertValidShape('eye', [n, n]);
  const dt = (dtype ?? 'float32') as D;
  const data = allocateFilled(dt, n * n, (a) => {
    for (let i = 0; i < n; i++) a[i * n + i] = 1;
  });
  return new Tensor(data, [n, n], dt);
}

/**
 * Evenly spaced values in `[start, stop)`, like `np.arange`: `arange(5)` is 0..4,
 * `arange(-5, 5, 0.1)` the book's x axis for plotting activations.
 */
export function arange<D extends DType = 'float32'>(
  start: number,
  stop?: number,
  step = 1,
  dtype?: D,
): Tensor<D> {
  const [from, to] = stop === undefined ? [0, start] : [start, stop];
  if (step === 0 || !Number.isFinite(step))
    throw new RangeError(`arange: step must be finite and non-zero, got ${step}`);
  const n = Math.max(0, Math.ceil((to - from) / step));
  const dt = (dtype ?? 'float32') as D;
  const data = allocateFilled(dt, n, (a) => {
    for (let i = 0; i < n; i++) a[i] = from + i * step;
  });
  return new Tensor(data, [n], dt);
}

/** `num` evenly spaced values from `start` to `stop` inclusive (`np.linspace`). */
export function linspace<D extends DType = 'float32'>(
  start: number,
  stop: number,
  num: number,
  dtype?: D,
): Tensor<D> {
  const dt = (dtype ?? 'float32') as D;
  const data = allocateFilled(dt, num, (a) => {
    for (let i = 0; i < num; i++) a[i] = num === 1 ? start : start + ((stop - start) * i) / (num - 1);
  });
  return new Tensor(data, [num], dt);
}

/** A tensor over a copy of flat values with the given shape. */
export function fromArray<D extends DType = 'float32'>(
  values: ArrayLike<number>,
  shape: Shape,
  dtype?: D,
): Tensor<D> {
  const dt = (dtype ?? dtypeOfArray(values) ?? 'float32') as D;
  if (values.length !== sizeOf(shape)) {
    throw new ShapeError(`fromArray: ${values.length} values do not fill shape ${shapeToString(shape)}`);
  }
  const data = allocateFilled(dt, values.length, (a) => a.set(values));
  return new Tensor(data, shape, dt);
}

/** Wraps an existing typed array without copying. */
export function fromTypedArray<D extends DType>(data: TypedArrayOf<D>, shape: Shape): Tensor<D> {
  return new Tensor(data, shape);
}

function inferShape(value: NestedArray, path: string): number[] {
  if (typeof value === 'number') return [];
  const first = value[0];
  const inner = first === undefined ? [] : inferShape(first, `${path}[0]`);
  value.forEach((v, i) => {
    const s = inferShape(v, `${path}[${i}]`);
    if (s.length !== inner.length || s.some((d, j) => d !== inner[j])) {
      throw new ShapeError(
        `tensor: ragged nested array: ${path}[${i}] has shape ${shapeToString(s)}, expected ${shapeToString(inner)}`,
      );
    }
  });
  return [value.length, ...inner];
}

/**
 * A tensor from nested arrays (`tensor([[1, 2], [3, 4]])`), a number (0-d) or a typed array (1-D,
 * copied). Ragged input is an error that names the first offending position.
 */
export function tensor<D extends DType = 'float32'>(
  values: NestedArray | AnyTypedArray,
  dtype?: D,
): Tensor<D> {
  if (ArrayBuffer.isView(values)) return fromArray(values, [values.length], dtype);
  const shape = inferShape(values, 'values');
  const flat = typeof values === 'number' ? [values] : (values.flat(Infinity as 1) as number[]);
  for (const v of flat) {
    if (typeof v !== 'number') throw new TypeError(`tensor: expected numbers, found ${typeof v}`);
  }
  return fromArray(flat, shape, dtype);
}
