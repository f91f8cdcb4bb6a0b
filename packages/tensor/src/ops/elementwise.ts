import { type DType } from '../dtype.js';
import { allocate, allocateFilled, allocateOutput } from '../allocate.js';
import { backendOf, getBackend } from '../backend/index.js';
import type { BinaryOp, UnaryOp } from '../backend/kernels.js';
import { ShapeError, broadcastShapes, broadcastStrides, shapeToString, shapesEqual } from '../shape.js';
import { Tensor } from '../tensor.js';

/**
 * Elementwise ops with NumPy broadcasting. Both tensor operands must share a dtype (convert with
 * `astype` first: implicit promotion hides precision bugs); a plain number takes the tensor's dtype.
 * Arithmetic keeps the dtype (integer division truncates, as typed arrays store); comparisons return
 * `uint8` masks of 0/1. Every op takes an optional `out` tensor of the result shape, which may be one
 * of the inputs (in-place update).
 */

function asTensor<D extends DType>(v: Tensor<D> | number, dtype: D): Tensor<D> {
  if (typeof v !== 'number') return v;
  return new Tensor(
    allocateFilled(dtype, 1, (a) => (a[0] = v)),
    [],
    dtype,
  );
}

function checkOut(op: string, out: Tensor, shape: readonly number[], dtype: DType): void {
  if (!shapesEqual(out.shape, shape)) {
    throw new ShapeError(
      `${op}: out has shape ${shapeToString(out.shape)}, the result has shape ${shapeToString(shape)}`,
    );
  }
  if (out.dtype !== dtype) throw new TypeError(`${op}: out has dtype ${out.dtype}, the result is ${dtype}`);
}

function binary<D extends DType, R extends DType>(
  op: BinaryOp,
  a: Tensor<D> | number,
  b: Tensor<D> | number,
  out: Tensor<R> | undefined,
  resultDtype: (d: D) => R,
): Tensor<R> {
  if (typeof a === 'number' && typeof b === 'number') {
    throw new TypeError(`${op}: at least one operand must be a tensor`);
  }
  const dtype = typeof a === 'number' ? (b as Tensor<D>).dtype : a.dtype;
  const ta = asTensor(a, dtype);
  const tb = asTensor(b, dtype);
  if (ta.dtype !== tb.dtype) {
    throw new TypeError(
      `${op}: dtypes differ: ${ta.dtype} ${shapeToString(ta.shape)} and ${tb.dtype} ${shapeToString(tb.shape)}; convert one with astype()`,
    );
  }
  const shape = broadcastShapes(op, ta.shape, tb.shape);
  const rdtype = resultDtype(dtype);
  if (out) checkOut(op, out, shape, rdtype);
  const tie = backendOf(op, ta, tb, out);
  const result =
    out ??
    new Tensor(
      allocateOutput(rdtype, sizeOfShape(shape), tie, `${op} ${shapeToString(shape)}`),
      shape,
      rdtype,
      tie,
    );
  (tie ?? getBackend()).binary({
    op,
    a: ta.operand,
    aStrides: broadcastStrides(ta.shape, shape),
    b: tb.operand,
    bStrides: broadcastStrides(tb.shape, shape),
    out: result.operand,
    outShape: shape,
  });
  return result;
}

function sizeOfShape(shape: readonly number[]): number {
  return shape.reduce((n, d) => n * d, 1);
}

const same = <D extends DType>(d: D): D => d;
const mask = (): 'uint8' => 'uint8';

export type Operand<D extends DType> = Tensor<D> | number;

export function add<D extends DType>(a: Operand<D>, b: Operand<D>, out?: Tensor<D>): Tensor<D> {
  return binary('add', a, b, out, same);
}
export function sub<D extends DType>(a: Operand<D>, b: Operand<D>, out?: Tensor<D>): Tensor<D> {
  return binary('sub', a, b, out, same);
}
export function mul<D extends DType>(a: Operand<D>, b: Operand<D>, out?: Tensor<D>): Tensor<D> {
  return binary('mul', a, b, out, same);
}
export function div<D extends DType>(a: Operand<D>, b: Operand<D>, out?: Tensor<D>): Tensor<D> {
  return binary('div', a, b, out, same);
}
export function pow<D extends DType>(a: Operand<D>, b: Operand<D>, out?: Tensor<D>): Tensor<D> {
  return binary('pow', a, b, out, same);
}
/** Elementwise larger value (NaN wins, as in NumPy). */
export function maximum<D extends DType>(a: Operand<D>, b: Operand<D>, out?: Tensor<D>): Tensor<D> {
  return binary('maximum', a, b, out, same);
}
export function minimum<D extends DType>(a: Operand<D>, b: Operand<D>, out?: Tensor<D>): Tensor<D> {
  return binary('minimum', a, b, out, same);
}
export function equal<D extends DType>(a: Operand<D>, b: Operand<D>, out?: Tensor<'uint8'>): Tensor<'uint8'> {
  return binary('equal', a, b, out, mask);
}
export function notEqual<D extends DType>(
  a: Operand<D>,
  b: Operand<D>,
  out?: Tensor<'uint8'>,
): Tensor<'uint8'> {
  return binary('notEqual', a, b, out, mask);
}
export function greater<D extends DType>(
  a: Operand<D>,
  b: Operand<D>,
  out?: Tensor<'uint8'>,
): Tensor<'uint8'> {
  return binary('greater', a, b, out, mask);
}
export function greaterEqual<D extends DType>(
  a: Operand<D>,
  b: Operand<D>,
  out?: Tensor<'uint8'>,
): Tensor<'uint8'> {
  return binary('greaterEqual', a, b, out, mask);
}
export function less<D extends DType>(a: Operand<D>, b: Operand<D>, out?: Tensor<'uint8'>): Tensor<'uint8'> {
  return binary('less', a, b, out, mask);
}
export function lessEqual<D extends DType>(
  a: Operand<D>,
  b: Operand<D>,
  out?: Tensor<'uint8'>,
): Tensor<'uint8'> {
  return binary('lessEqual', a, b, out, mask);
}

function unary<D extends DType>(op: UnaryOp, x: Tensor<D>, out?: Tensor<D>): Tensor<D> {
  if (out) checkOut(op, out, x.shape, x.dtype);
  const tie = backendOf(op, x, out);
  const result =
    out ??
    new Tensor(
      allocateOutput(x.dtype, x.size, tie, `${op} ${shapeToString(x.shape)}`),
      x.shape,
      x.dtype,
      tie,
    );
  (tie ?? getBackend()).unary(op, x.operand, result.operand);
  return result;
}

export const neg = <D extends DType>(x: Tensor<D>, out?: Tensor<D>): Tensor<D> => unary('neg', x, out);
export const abs = <D extends DType>(x: Tensor<D>, out?: Tensor<D>): Tensor<D> => unary('abs', x, out);
export const exp = <D extends DType>(x: Tensor<D>, out?: Tensor<D>): Tensor<D> => unary('exp', x, out);
export const log = <D extends DType>(x: Tensor<D>, out?: Tensor<D>): Tensor<D> => unary('log', x, out);
export const sqrt = <D extends DType>(x: Tensor<D>, out?: Tensor<D>): Tensor<D> => unary('sqrt', x, out);
export const square = <D extends DType>(x: Tensor<D>, out?: Tensor<D>): Tensor<D> => unary('square', x, out);
export const tanh = <D extends DType>(x: Tensor<D>, out?: Tensor<D>): Tensor<D> => unary('tanh', x, out);
export const sign = <D extends DType>(x: Tensor<D>, out?: Tensor<D>): Tensor<D> => unary('sign', x, out);
export const reciprocal = <D extends DType>(x: Tensor<D>, out?: Tensor<D>): Tensor<D> =>
  unary('reciprocal', x, out);

/** Limits every value to [low, high], like `np.clip`. */
export function clip<D extends DType>(x: Tensor<D>, low: number, high: number, out?: Tensor<D>): Tensor<D> {
  if (low > high) throw new RangeError(`clip: low ${low} is greater than high ${high}`);
  return minimum(maximum(x, low, out), high, out);
}

/**
 * Picks `x` where `condition` is non-zero and `y` elsewhere, all three broadcast together
 * (NumPy's `where`).
 */
export function where<D extends DType>(condition: Tensor, x: Operand<D>, y: Operand<D>): Tensor<D> {
  if (typeof x === 'number' && typeof y === 'number') {
    throw new TypeError('where: x or y must be a tensor (it sets the dtype)');
  }
  const dtype = typeof x === 'number' ? (y as Tensor<D>).dtype : x.dtype;
  const tx = asTensor(x, dtype);
  const ty = asTensor(y, dtype);
  if (tx.dtype !== ty.dtype)
    throw new TypeError(`where: dtypes of x (${tx.dtype}) and y (${ty.dtype}) differ`);
  const shape = broadcastShapes('where', broadcastShapes('where', condition.shape, tx.shape), ty.shape);
  const size = sizeOfShape(shape);
  const tie = backendOf('where', condition, tx, ty);
  const out = new Tensor(allocate(dtype, size, tie), shape, dtype, tie);
  const [od, cd, xd, yd] = [out.data, condition.data, tx.data, ty.data];
  const sc = broadcastStrides(condition.shape, shape);
  const sx = broadcastStrides(tx.shape, shape);
  const sy = broadcastStrides(ty.shape, shape);
  const index = new Array<number>(shape.length).fill(0);
  for (let i = 0; i < size; i++) {
    let ic = 0;
    let ix = 0;
    let iy = 0;
    for (let d = 0; d < shape.length; d++) {
      ic += index[d]! * sc[d]!;
      ix += index[d]! * sx[d]!;
      iy += index[d]! * sy[d]!;
    }
    od[i] = cd[ic] !== 0 ? xd[ix]! : yd[iy]!;
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++index[d]! < shape[d]!) break;
      index[d] = 0;
    }
  }
  return out;
}
