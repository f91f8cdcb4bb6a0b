import { allocate, isFloatDType, type FloatArray, type FloatDType } from '../dtype.js';
import { ShapeError, shapeToString, shapesEqual, sizeOf, type Shape } from '../shape.js';
import { Tensor } from '../tensor.js';
import { convGeometry, type ConvGeometry, type WindowOptions } from './im2col.js';

/**
 * 2-D pooling over `[N, C, H, W]`, output `[N, C, outH, outW]`. The book pools through im2col; these
 * loops read each window in place (no `[rows, FH·FW]` copy) and give the same numbers. Padding is not
 * in the book (its `Pooling` fails for `pad > 0`): here max pooling skips padded cells (they never
 * win, as PyTorch's implicit -∞) and average pooling counts them as zeros (divides by `FH·FW`).
 * `pad` must be smaller than the window so every window holds a real pixel.
 */

/** Validates a pooling window against `[N, C, H, W]` input (`op` names the caller). */
export function poolGeometry(
  op: string,
  inputShape: Shape,
  poolH: number,
  poolW: number,
  options: WindowOptions = {},
): ConvGeometry {
  const g = convGeometry(op, inputShape, poolH, poolW, options);
  if (g.pad >= poolH || g.pad >= poolW) {
    throw new RangeError(`${op}: pad ${g.pad} must be smaller than the ${poolH}x${poolW} window`);
  }
  return g;
}

/**
 * Max pooling kernel. `argmax[i]` receives the flat index into `x` of output `i`'s maximum; within a
 * window cells are read in row-major `(fy, fx)` order and **the first maximum wins a tie** (NumPy's
 * argmax, which decides the book's gradients after ReLU zeros). A NaN wins over numbers, as in NumPy.
 */
export function maxPoolInto(x: FloatArray, g: ConvGeometry, out: FloatArray, argmax: Int32Array): void {
  const { batch, channels, height: H, width: W, filterH: FH, filterW: FW, stride, pad, outH, outW } = g;
  let o = 0;
  for (let plane = 0; plane < batch * channels; plane++) {
    const base = plane * H * W;
    for (let oy = 0; oy < outH; oy++) {
      const y0 = oy * stride - pad;
      const fy0 = Math.max(0, -y0);
      const fy1 = Math.min(FH, H - y0);
      for (let ox = 0; ox < outW; ox++, o++) {
        const x0 = ox * stride - pad;
        const fx0 = Math.max(0, -x0);
        const fx1 = Math.min(FW, W - x0);
        let best = 0;
        let at = -1;
        for (let fy = fy0; fy < fy1; fy++) {
          const row = base + (y0 + fy) * W + x0;
          for (let fx = fx0; fx < fx1; fx++) {
            const v = x[row + fx]!;
            // v !== v: the first NaN wins and stays (NaN > best is always false afterwards).
            if (at < 0 || v > best || (v !== v && best === best)) {
              best = v;
              at = row + fx;
            }
          }
        }
        out[o] = best;
        argmax[o] = at;
      }
    }
  }
}

/** Max pooling's backward: each `dout` entry goes to its window's maximum; shared maxima sum. */
export function maxPoolBackwardInto(dout: FloatArray, argmax: Int32Array, dx: FloatArray): void {
  dx.fill(0);
  for (let i = 0; i < dout.length; i++) {
    const at = argmax[i]!;
    dx[at] = dx[at]! + dout[i]!;
  }
}

/** Average pooling kernel: the window's sum divided by `FH·FW` (padding counts as zeros). */
export function avgPoolInto(x: FloatArray, g: ConvGeometry, out: FloatArray): void {
  const { batch, channels, height: H, width: W, filterH: FH, filterW: FW, stride, pad, outH, outW } = g;
  const scale = 1 / (FH * FW);
  let o = 0;
  for (let plane = 0; plane < batch * channels; plane++) {
    const base = plane * H * W;
    for (let oy = 0; oy < outH; oy++) {
      const y0 = oy * stride - pad;
      const fy0 = Math.max(0, -y0);
      const fy1 = Math.min(FH, H - y0);
      for (let ox = 0; ox < outW; ox++, o++) {
        const x0 = ox * stride - pad;
        const fx1 = Math.min(FW, W - x0);
        let s = 0;
        for (let fy = fy0; fy < fy1; fy++) {
          const row = base + (y0 + fy) * W + x0;
          for (let fx = Math.max(0, -x0); fx < fx1; fx++) s += x[row + fx]!;
        }
        out[o] = s * scale;
      }
    }
  }
}

/** Average pooling's backward: each `dout` entry spread evenly (`/ FH·FW`) over its window. */
export function avgPoolBackwardInto(dout: FloatArray, g: ConvGeometry, dx: FloatArray): void {
  const { batch, channels, height: H, width: W, filterH: FH, filterW: FW, stride, pad, outH, outW } = g;
  const scale = 1 / (FH * FW);
  dx.fill(0);
  let o = 0;
  for (let plane = 0; plane < batch * channels; plane++) {
    const base = plane * H * W;
    for (let oy = 0; oy < outH; oy++) {
      const y0 = oy * stride - pad;
      const fy1 = Math.min(FH, H - y0);
      for (let ox = 0; ox < outW; ox++, o++) {
        const x0 = ox * stride - pad;
        const fx1 = Math.min(FW, W - x0);
        const d = dout[o]! * scale;
        for (let fy = Math.max(0, -y0); fy < fy1; fy++) {
          const row = base + (y0 + fy) * W + x0;
          for (let fx = Math.max(0, -x0); fx < fx1; fx++) dx[row + fx] = dx[row + fx]! + d;
        }
      }
    }
  }
}

export type PoolMode = 'max' | 'average';

export interface Pool2dOptions extends WindowOptions {
  /** Default 'max'. */
  mode?: PoolMode;
}

/** The result of `pool2d`: the pooled tensor and, for max pooling, where each maximum came from. */
export interface Pool2dResult<D extends FloatDType> {
  out: Tensor<D>;
  /** Flat indices into the input, one per output element (max pooling only). */
  argmax: Tensor<'int32'> | undefined;
}

/** Pools `x` `[N, C, H, W]` with a `poolH×poolW` window (stride 1 and pad 0 unless given, as the book's). */
export function pool2d<D extends FloatDType>(
  x: Tensor<D>,
  poolH: number,
  poolW: number,
  options: Pool2dOptions = {},
): Pool2dResult<D> {
  const dtype: string = x.dtype; // callers without types may pass any tensor
  if (!isFloatDType(x.dtype))
    throw new TypeError(`pool2d: dtype ${dtype} is not supported; convert with astype('float32')`);
  const g = poolGeometry('pool2d', x.shape, poolH, poolW, options);
  const shape = [g.batch, g.channels, g.outH, g.outW];
  const out = new Tensor(allocate(x.dtype, sizeOf(shape)), shape, x.dtype);
  if (options.mode === 'average') {
    avgPoolInto(x.data, g, out.data);
    return { out, argmax: undefined };
  }
  const argmax = new Tensor(new Int32Array(out.size), shape, 'int32');
  maxPoolInto(x.data, g, out.data, argmax.data);
  return { out, argmax };
}

/**
 * `dx` for `dout` of `pool2d`'s output shape: routed through `argmax` (max pooling, required) or
 * spread over each window (average pooling).
 */
export function pool2dBackward<D extends FloatDType>(
  dout: Tensor<D>,
  inputShape: Shape,
  poolH: number,
  poolW: number,
  options: Pool2dOptions & { argmax?: Tensor<'int32'> } = {},
): Tensor<D> {
  const g = poolGeometry('pool2dBackward', inputShape, poolH, poolW, options);
  const shape = [g.batch, g.channels, g.outH, g.outW];
  if (!shapesEqual(dout.shape, shape)) {
    throw new ShapeError(
      `pool2dBackward: dout is ${shapeToString(dout.shape)}, the pooled shape is ${shapeToString(shape)}`,
    );
  }
  const dx = new Tensor(allocate(dout.dtype, sizeOf(inputShape)), inputShape, dout.dtype);
  if (options.mode === 'average') {
    avgPoolBackwardInto(dout.data, g, dx.data);
  } else {
    const argmax = options.argmax;
    if (!argmax || argmax.size !== dout.size)
      throw new Error('pool2dBackward: max pooling needs the argmax of its forward (from pool2d)');
    maxPoolBackwardInto(dout.data, argmax.data, dx.data);
  }
  return dx;
}
