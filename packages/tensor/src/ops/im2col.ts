import { isFloatDType, type DType, type FloatDType } from '../dtype.js';
import { allocate } from '../allocate.js';
import { ShapeError, shapeToString, shapesEqual, sizeOf, type Shape } from '../shape.js';
import { Tensor } from '../tensor.js';
import { backendOf, getBackend } from '../backend/index.js';
import type { ConvGeometry } from '../backend/kernels.js';

export type { ConvGeometry } from '../backend/kernels.js';
/**
 * The `js` backend's window kernels on flat arrays, exported as the readable reference (they were
 * the public kernels before backends had them). Ops and layers call `getBackend().im2col` etc.,
 * which run them on the `js` backend and in WebAssembly on the `wasm` one.
 */
export { im2colInto, col2imInto } from '../backend/js/window.js';

/** A window's size, step and zero padding (stride 1 and pad 0 by default, as the book's). */
export interface WindowOptions {
  stride?: number;
  pad?: number;
}

/** `floor((size + 2·pad - filter) / stride) + 1`: positions of a window along one axis. */
export function convOutputSize(size: number, filter: number, stride = 1, pad = 0): number {
  return Math.floor((size + 2 * pad - filter) / stride) + 1;
}

/**
 * Validates a window against an input shape `[N, C, H, W]` and returns the geometry. `op` names the
 * caller in error messages. Throws when the window does not fit even once.
 */
export function convGeometry(
  op: string,
  inputShape: Shape,
  filterH: number,
  filterW: number,
  { stride = 1, pad = 0 }: WindowOptions = {},
): ConvGeometry {
  if (inputShape.length !== 4) {
    throw new ShapeError(
      `${op}: input must be [N, C, H, W], got ${shapeToString(inputShape)}` +
        (inputShape.length === 3 ? '; add a batch axis (reshape to [1, C, H, W])' : ''),
    );
  }
  const positive = (name: string, v: number, min: number): void => {
    if (!Number.isInteger(v) || v < min)
      throw new RangeError(`${op}: ${name} must be an integer >= ${min}, got ${v}`);
  };
  positive('filter height', filterH, 1);
  positive('filter width', filterW, 1);
  positive('stride', stride, 1);
  positive('pad', pad, 0);
  const [batch, channels, height, width] = inputShape as [number, number, number, number];
  const outH = convOutputSize(height, filterH, stride, pad);
  const outW = convOutputSize(width, filterW, stride, pad);
  if (outH < 1 || outW < 1) {
    throw new ShapeError(
      `${op}: a ${filterH}x${filterW} window with pad ${pad} does not fit input ${shapeToString(inputShape)} ` +
        `(padded image ${height + 2 * pad}x${width + 2 * pad}); use a smaller window or more padding`,
    );
  }
  return { batch, channels, height, width, filterH, filterW, stride, pad, outH, outW };
}

/** `[N·outH·outW, C·FH·FW]`: the shape of im2col's result. */
export function colShape(g: ConvGeometry): [number, number] {
  return [g.batch * g.outH * g.outW, g.channels * g.filterH * g.filterW];
}

export interface Im2colOptions<D extends FloatDType> extends WindowOptions {
  /** Write the result here (shape `[N·outH·outW, C·FH·FW]`, same dtype) instead of a new tensor. */
  out?: Tensor<D>;
}

function checkFloat(op: string, t: Tensor): void {
  if (!isFloatDType(t.dtype))
    throw new TypeError(`${op}: dtype ${t.dtype} is not supported; convert with astype('float32')`);
}

function checkOut(op: string, out: Tensor, dtype: DType, shape: Shape): void {
  if (out.dtype !== dtype || !shapesEqual(out.shape, shape)) {
    throw new ShapeError(
      `${op}: out is ${out.dtype} ${shapeToString(out.shape)}, the result is ${dtype} ${shapeToString(shape)}`,
    );
  }
}

/**
 * The book's `im2col(input_data, filter_h, filter_w, stride, pad)` (`common/util.py`): unfolds every
 * `FH×FW` window of `x` `[N, C, H, W]` into one row of a matrix, so a convolution becomes one GEMM.
 * Rows `(n, oy, ox)`, columns `(c, fy, fx)`.
 */
export function im2col<D extends FloatDType>(
  x: Tensor<D>,
  filterH: number,
  filterW: number,
  options: Im2colOptions<D> = {},
): Tensor<D> {
  checkFloat('im2col', x);
  const g = convGeometry('im2col', x.shape, filterH, filterW, options);
  const shape = colShape(g);
  if (options.out) checkOut('im2col', options.out, x.dtype, shape);
  const tie = backendOf('im2col', x, options.out);
  const col = options.out ?? new Tensor(allocate(x.dtype, shape[0] * shape[1], tie), shape, x.dtype, tie);
  (tie ?? getBackend()).im2col(x.operand, g, col.operand);
  return col;
}

export interface Col2imOptions<D extends FloatDType> extends WindowOptions {
  /** Write the image here (shape `inputShape`, same dtype) instead of a new tensor. */
  out?: Tensor<D>;
  /** Add to `out`'s contents instead of overwriting them. */
  accumulate?: boolean;
}

/**
 * The book's `col2im(col, input_shape, filter_h, filter_w, stride, pad)`: folds a matrix of im2col's
 * layout back into an image of `inputShape`, summing overlapping windows (it is im2col's adjoint,
 * what a convolution's backward needs for `dx`).
 */
export function col2im<D extends FloatDType>(
  col: Tensor<D>,
  inputShape: Shape,
  filterH: number,
  filterW: number,
  options: Col2imOptions<D> = {},
): Tensor<D> {
  checkFloat('col2im', col);
  const g = convGeometry('col2im', inputShape, filterH, filterW, options);
  const shape = colShape(g);
  if (!shapesEqual(col.shape, shape)) {
    throw new ShapeError(
      `col2im: col is ${shapeToString(col.shape)}, but input ${shapeToString(inputShape)} with a ` +
        `${filterH}x${filterW} window (stride ${g.stride}, pad ${g.pad}) needs ${shapeToString(shape)}`,
    );
  }
  if (options.out) checkOut('col2im', options.out, col.dtype, inputShape);
  const tie = backendOf('col2im', col, options.out);
  const img =
    options.out ?? new Tensor(allocate(col.dtype, sizeOf(inputShape), tie), inputShape, col.dtype, tie);
  (tie ?? getBackend()).col2im(col.operand, g, img.operand, options.accumulate ?? false);
  return img;
}
