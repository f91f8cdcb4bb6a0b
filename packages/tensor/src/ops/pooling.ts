import { isFloatDType, type FloatDType } from '../dtype.js';
import { allocateOutput } from '../allocate.js';
import { ShapeError, shapeToString, shapesEqual, sizeOf, type Shape } from '../shape.js';
import { Tensor } from '../tensor.js';
import { backendOf, getBackend } from '../backend/index.js';
import type { ConvGeometry } from '../backend/kernels.js';
import { convGeometry, type WindowOptions } from './im2col.js';

export { maxPoolInto, maxPoolBackwardInto, avgPoolInto, avgPoolBackwardInto } from '../backend/js/window.js';

/**
 * 2-D pooling over `[N, C, H, W]`, output `[N, C, outH, outW]`, on the current backend's kernels.
 * The book pools through im2col; the kernels read each window in place (no `[rows, FH·FW]` copy) and
 * give the same numbers. Padding is not in the book (its `Pooling` fails for `pad > 0`): here max
 * pooling skips padded cells (they never win, as PyTorch's implicit -∞) and average pooling counts
 * them as zeros (divides by `FH·FW`). `pad` must be smaller than the window so every window holds a
 * real pixel. The flat-array `*Into` kernels are the `js` backend's (see `backend/js/window.ts`).
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
  const tie = backendOf('pool2d', x);
  const kernels = tie ?? getBackend();
  const out = new Tensor(allocateOutput(x.dtype, sizeOf(shape), tie), shape, x.dtype, tie);
  if (options.mode === 'average') {
    kernels.avgPool(x.operand, g, out.operand);
    return { out, argmax: undefined };
  }
  const argmax = new Tensor(allocateOutput('int32', out.size, tie), shape, 'int32', tie);
  kernels.maxPool(x.operand, g, out.operand, argmax.operand);
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
  const tie = backendOf('pool2dBackward', dout, options.argmax);
  const kernels = tie ?? getBackend();
  const dx = new Tensor(allocateOutput(dout.dtype, sizeOf(inputShape), tie), inputShape, dout.dtype, tie);
  if (options.mode === 'average') {
    kernels.avgPoolBackward(dout.operand, g, dx.operand);
  } else {
    const argmax = options.argmax;
    if (!argmax || argmax.size !== dout.size)
      throw new Error('pool2dBackward: max pooling needs the argmax of its forward (from pool2d)');
    kernels.maxPoolBackward(dout.operand, argmax.operand, dx.operand);
  }
  return dx;
}
