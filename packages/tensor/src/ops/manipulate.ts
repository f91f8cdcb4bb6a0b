import { type DType, type FloatDType } from '../dtype.js';
import { allocate } from '../allocate.js';
import {
  ShapeError,
  normalizeAxis,
  resolveReshape,
  shapeToString,
  shapesEqual,
  sizeOf,
  stridesOf,
  type Shape,
} from '../shape.js';
import { backendOf } from '../backend/index.js';
import { Tensor } from '../tensor.js';

/** Shape-changing ops: everything that moves or selects elements without arithmetic. */

export function reshape<D extends DType>(x: Tensor<D>, shape: Shape): Tensor<D> {
  return new Tensor(x.operand, resolveReshape('reshape', x.shape, shape), x.dtype, x.backend);
}

export function flatten<D extends DType>(x: Tensor<D>): Tensor<D> {
  return x.reshape(x.size);
}

/** Inserts a length-1 axis at `axis`. */
export function expandDims<D extends DType>(x: Tensor<D>, axis: number): Tensor<D> {
  const a = normalizeAxis('expandDims', axis, x.ndim + 1);
  const shape = [...x.shape];
  shape.splice(a, 0, 1);
  return x.reshape(shape);
}

/** Removes length-1 axes (all of them, or the one given). */
export function squeeze<D extends DType>(x: Tensor<D>, axis?: number): Tensor<D> {
  if (axis === undefined) return x.reshape(x.shape.filter((d) => d !== 1));
  const a = normalizeAxis('squeeze', axis, x.ndim);
  if (x.shape[a] !== 1)
    throw new ShapeError(
      `squeeze: axis ${axis} of ${shapeToString(x.shape)} has length ${x.shape[a]}, not 1`,
    );
  return x.reshape(x.shape.filter((_, i) => i !== a));
}

/**
 * Permutes axes (reverses them when `axes` is omitted) and copies into a new contiguous tensor.
 * Kernels that can read strides avoid this copy; `matmul` takes transpose flags instead.
 */
export function transpose<D extends DType>(x: Tensor<D>, axes?: readonly number[]): Tensor<D> {
  const rank = x.ndim;
  const perm = axes
    ? axes.map((a) => normalizeAxis('transpose', a, rank))
    : x.shape.map((_, i) => rank - 1 - i);
  if (perm.length !== rank || new Set(perm).size !== rank) {
    throw new ShapeError(
      `transpose: axes [${(axes ?? []).join(',')}] are not a permutation of ${rank} axes of ${shapeToString(x.shape)}`,
    );
  }
  const shape = perm.map((p) => x.shape[p]!);
  const src = stridesOf(x.shape);
  const srcStrides = perm.map((p) => src[p]!);
  const out = allocate(x.dtype, x.size);
  const values = x.data;
  const index = new Array<number>(rank).fill(0);
  let from = 0;
  for (let i = 0; i < x.size; i++) {
    out[i] = values[from]!;
    for (let d = rank - 1; d >= 0; d--) {
      index[d]!++;
      from += srcStrides[d]!;
      if (index[d]! < shape[d]!) break;
      from -= srcStrides[d]! * shape[d]!;
      index[d] = 0;
    }
  }
  return new Tensor(out, shape, x.dtype, x.backend);
}

/** Copies `x` to `shape` under NumPy broadcasting rules. */
export function broadcastTo<D extends DType>(x: Tensor<D>, shape: Shape): Tensor<D> {
  const offset = shape.length - x.ndim;
  const ok = offset >= 0 && x.shape.every((d, i) => d === 1 || d === shape[i + offset]);
  if (!ok)
    throw new ShapeError(
      `broadcastTo: cannot broadcast ${shapeToString(x.shape)} to ${shapeToString(shape)}`,
    );
  const size = sizeOf(shape);
  const own = stridesOf(x.shape);
  const strides = shape.map((d, i) => (i < offset || x.shape[i - offset] === 1 ? 0 : own[i - offset]!));
  const out = allocate(x.dtype, size);
  const src = x.data;
  const index = new Array<number>(shape.length).fill(0);
  let from = 0;
  for (let i = 0; i < size; i++) {
    out[i] = src[from]!;
    for (let d = shape.length - 1; d >= 0; d--) {
      index[d]!++;
      from += strides[d]!;
      if (index[d]! < shape[d]!) break;
      from -= strides[d]! * shape[d]!;
      index[d] = 0;
    }
  }
  return new Tensor(out, shape, x.dtype, x.backend);
}

export type IndexList = Tensor<'int32'> | Int32Array | readonly number[];

/**
 * Selects entries along `axis` (default 0) by index, like NumPy's `x[indices]` / `np.take`:
 * `take(xTrain, batchIndices)` makes a mini-batch. Negative indices count from the end.
 */
export function take<D extends DType>(x: Tensor<D>, indices: IndexList, axis = 0): Tensor<D> {
  const a = normalizeAxis('take', axis, x.ndim);
  const count = indices instanceof Tensor ? indices.size : indices.length;
  const length = x.shape[a]!;
  const outer = sizeOf(x.shape.slice(0, a));
  const inner = sizeOf(x.shape.slice(a + 1));
  const shape = [...x.shape];
  shape[a] = count;
  const out = allocate(x.dtype, outer * count * inner);
  // Read after allocating: an allocation may grow the backend's memory and detach older views.
  const idx = indices instanceof Tensor ? indices.data : indices;
  for (let j = 0; j < idx.length; j++) {
    let k = idx[j]!;
    if (k < 0) k += length;
    if (!Number.isInteger(k) || k < 0 || k >= length) {
      throw new RangeError(
        `take: index ${idx[j]} is out of bounds for axis ${a} of ${shapeToString(x.shape)}`,
      );
    }
    for (let o = 0; o < outer; o++) {
      const from = (o * length + k) * inner;
      out.set(x.data.subarray(from, from + inner), (o * idx.length + j) * inner);
    }
  }
  return new Tensor(out, shape, x.dtype, x.backend);
}

/** Joins tensors along an existing axis; all other lengths and the dtype must match. */
export function concat<D extends DType>(tensors: readonly Tensor<D>[], axis = 0): Tensor<D> {
  const first = tensors[0];
  if (!first) throw new ShapeError('concat: needs at least one tensor');
  const a = normalizeAxis('concat', axis, first.ndim);
  for (const t of tensors) {
    const fits = t.ndim === first.ndim && t.shape.every((d, i) => i === a || d === first.shape[i]);
    if (!fits || t.dtype !== first.dtype) {
      throw new ShapeError(
        `concat: along axis ${a}, ${t.dtype} ${shapeToString(t.shape)} does not fit ${first.dtype} ${shapeToString(first.shape)}`,
      );
    }
  }
  const outer = sizeOf(first.shape.slice(0, a));
  const inner = sizeOf(first.shape.slice(a + 1));
  const total = tensors.reduce((n, t) => n + t.shape[a]!, 0);
  const shape = [...first.shape];
  shape[a] = total;
  const out = allocate(first.dtype, outer * total * inner);
  let at = 0;
  for (const t of tensors) {
    const run = t.shape[a]! * inner;
    for (let o = 0; o < outer; o++) out.set(t.data.subarray(o * run, (o + 1) * run), o * total * inner + at);
    at += run;
  }
  return new Tensor(out, shape, first.dtype, backendOf('concat', ...tensors));
}

/**
 * One axis of a slice: a number picks one index (the axis disappears), `null` keeps the whole axis,
 * `[start, end?, step?]` is Python's `start:end:step` (negative values count from the end).
 */
export type SliceSpec = number | null | readonly [start: number | null, end?: number | null, step?: number];

/** NumPy basic slicing, copied into a new tensor: `slice(x, [[0, 300]])` is `x[:300]`. */
export function slice<D extends DType>(x: Tensor<D>, specs: readonly SliceSpec[]): Tensor<D> {
  if (specs.length > x.ndim) {
    throw new ShapeError(
      `slice: ${specs.length} slice specs for a tensor of shape ${shapeToString(x.shape)}`,
    );
  }
  const starts: number[] = [];
  const steps: number[] = [];
  const lengths: number[] = [];
  const keep: boolean[] = [];
  x.shape.forEach((d, axis) => {
    const spec = specs[axis] ?? null;
    if (typeof spec === 'number') {
      const i = spec < 0 ? spec + d : spec;
      if (!Number.isInteger(i) || i < 0 || i >= d) {
        throw new RangeError(
          `slice: index ${spec} is out of bounds for axis ${axis} of ${shapeToString(x.shape)}`,
        );
      }
      starts.push(i);
      steps.push(1);
      lengths.push(1);
      keep.push(false);
      return;
    }
    const [rawStart = null, rawEnd = null, step = 1] = spec ?? [];
    if (!Number.isInteger(step) || step === 0)
      throw new RangeError(`slice: step must be a non-zero integer, got ${step}`);
    const clamp = (v: number, lo: number, hi: number): number => Math.min(Math.max(v, lo), hi);
    const resolve = (v: number | null, fallback: number): number =>
      v === null ? fallback : step > 0 ? clamp(v < 0 ? v + d : v, 0, d) : clamp(v < 0 ? v + d : v, -1, d - 1);
    const start = resolve(rawStart, step > 0 ? 0 : d - 1);
    const end = resolve(rawEnd, step > 0 ? d : -1);
    const length =
      step > 0 ? Math.max(0, Math.ceil((end - start) / step)) : Math.max(0, Math.ceil((start - end) / -step));
    starts.push(start);
    steps.push(step);
    lengths.push(length);
    keep.push(true);
  });
  const strides = stridesOf(x.shape);
  const size = sizeOf(lengths);
  const out = allocate(x.dtype, size);
  const src = x.data;
  const index = new Array<number>(x.ndim).fill(0);
  for (let i = 0; i < size; i++) {
    let from = 0;
    for (let d = 0; d < x.ndim; d++) from += (starts[d]! + index[d]! * steps[d]!) * strides[d]!;
    out[i] = src[from]!;
    for (let d = x.ndim - 1; d >= 0; d--) {
      if (++index[d]! < lengths[d]!) break;
      index[d] = 0;
    }
  }
  return new Tensor(
    out,
    lengths.filter((_, i) => keep[i]),
    x.dtype,
    x.backend,
  );
}

/** Pads each axis with `[before, after]` copies of `value` (NumPy's constant `np.pad`). */
export function pad<D extends DType>(
  x: Tensor<D>,
  widths: readonly (readonly [number, number])[],
  value = 0,
): Tensor<D> {
  if (widths.length !== x.ndim) {
    throw new ShapeError(`pad: ${widths.length} pad widths for a tensor of shape ${shapeToString(x.shape)}`);
  }
  for (const [b, a] of widths) {
    if (!Number.isInteger(b) || !Number.isInteger(a) || b < 0 || a < 0) {
      throw new RangeError(`pad: widths must be integers >= 0, got [${b},${a}]`);
    }
  }
  const shape = x.shape.map((d, i) => d + widths[i]![0] + widths[i]![1]);
  const out = allocate(x.dtype, sizeOf(shape));
  if (value !== 0) out.fill(value);
  if (x.size === 0) return new Tensor(out, shape, x.dtype, x.backend);
  const outStrides = stridesOf(shape);
  const rank = x.ndim;
  const last = x.shape[rank - 1] ?? 1;
  const rows = x.size / last;
  const index = new Array<number>(Math.max(rank - 1, 0)).fill(0);
  // Copy one innermost row at a time into its place in the padded output.
  for (let r = 0; r < rows; r++) {
    let to = rank > 0 ? widths[rank - 1]![0] : 0;
    for (let d = 0; d < rank - 1; d++) to += (index[d]! + widths[d]![0]) * outStrides[d]!;
    out.set(x.data.subarray(r * last, (r + 1) * last), to);
    for (let d = rank - 2; d >= 0; d--) {
      if (++index[d]! < x.shape[d]!) break;
      index[d] = 0;
    }
  }
  return new Tensor(out, shape, x.dtype, x.backend);
}

/** One-hot rows for integer labels: `oneHot([2, 0], 3)` is `[[0,0,1],[1,0,0]]`. */
export function oneHot<D extends FloatDType = 'float32'>(
  labels: IndexList,
  numClasses: number,
  dtype?: D,
): Tensor<D> {
  const dt = (dtype ?? 'float32') as D;
  const out = allocate(dt, (labels instanceof Tensor ? labels.size : labels.length) * numClasses);
  const idx = labels instanceof Tensor ? labels.data : labels;
  for (let i = 0; i < idx.length; i++) {
    const k = idx[i]!;
    if (!Number.isInteger(k) || k < 0 || k >= numClasses) {
      throw new RangeError(`oneHot: label ${k} at position ${i} is not in [0, ${numClasses})`);
    }
    out[i * numClasses + k] = 1;
  }
  return new Tensor(out, [idx.length, numClasses], dt);
}

/** True when two tensors have the same shape and dtype and every element is equal (NaN equals NaN). */
export function arrayEqual(a: Tensor, b: Tensor): boolean {
  if (!shapesEqual(a.shape, b.shape) || a.dtype !== b.dtype) return false;
  const ad = a.data;
  const bd = b.data;
  for (let i = 0; i < a.size; i++) {
    const x = ad[i]!;
    const y = bd[i]!;
    if (x !== y && !(Number.isNaN(x) && Number.isNaN(y))) return false;
  }
  return true;
}
