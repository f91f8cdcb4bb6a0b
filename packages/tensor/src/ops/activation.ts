import { isFloatDType, type FloatDType } from '../dtype.js';
import { allocateOutput } from '../allocate.js';
import { backendOf, getBackend } from '../backend/index.js';
import type { ActivationOp, Kernels } from '../backend/kernels.js';
import { ShapeError, shapeToString, shapesEqual } from '../shape.js';
import { Tensor } from '../tensor.js';

/**
 * The activation layers' math on the current backend: ReLU and sigmoid forward, and their backward
 * from what the layer saved (ReLU: its input; sigmoid: its output), as the book's `Relu` and
 * `Sigmoid` layers compute them. Each returns a new tensor unless `out` (same shape and dtype) is given.
 */

function checkFloat(op: string, x: Tensor): void {
  const dtype: string = x.dtype;
  if (!isFloatDType(x.dtype))
    throw new TypeError(`${op}: dtype ${dtype} is not supported; convert with astype('float32')`);
}

function result<D extends FloatDType>(
  op: string,
  like: Tensor<D>,
  out: Tensor<D> | undefined,
  tie: Kernels | undefined,
): Tensor<D> {
  if (!out) return new Tensor(allocateOutput(like.dtype, like.size, tie), like.shape, like.dtype, tie);
  if (!shapesEqual(out.shape, like.shape) || out.dtype !== like.dtype) {
    throw new ShapeError(
      `${op}: out is ${out.dtype} ${shapeToString(out.shape)}, the result is ${like.dtype} ${shapeToString(like.shape)}`,
    );
  }
  return out;
}

function forward<D extends FloatDType>(op: ActivationOp, x: Tensor<D>, out?: Tensor<D>): Tensor<D> {
  checkFloat(op, x);
  const tie = backendOf(op, x, out);
  const y = result(op, x, out, tie);
  (tie ?? getBackend()).activation(op, x.operand, y.operand);
  return y;
}

function backward<D extends FloatDType>(op: ActivationOp, saved: Tensor<D>, dout: Tensor<D>): Tensor<D> {
  const name = `${op}Backward`;
  checkFloat(name, dout);
  if (!shapesEqual(saved.shape, dout.shape) || saved.dtype !== dout.dtype) {
    throw new ShapeError(
      `${name}: dout is ${dout.dtype} ${shapeToString(dout.shape)}, the forward was ${saved.dtype} ${shapeToString(saved.shape)}`,
    );
  }
  const tie = backendOf(name, saved, dout);
  const dx = result(name, dout, undefined, tie);
  (tie ?? getBackend()).activationBackward(op, saved.operand, dout.operand, dx.operand);
  return dx;
}

/** `max(0, x)`; NaN stays NaN (as `np.maximum(0, x)`). */
export const relu = <D extends FloatDType>(x: Tensor<D>, out?: Tensor<D>): Tensor<D> =>
  forward('relu', x, out);

/** `1 / (1 + e^-x)`, without overflow for large |x|. */
export const sigmoid = <D extends FloatDType>(x: Tensor<D>, out?: Tensor<D>): Tensor<D> =>
  forward('sigmoid', x, out);

/** ReLU's backward from its forward input `x`: `dout` where `x > 0`, 0 elsewhere (the book's mask). */
export const reluBackward = <D extends FloatDType>(x: Tensor<D>, dout: Tensor<D>): Tensor<D> =>
  backward('relu', x, dout);

/** Sigmoid's backward from its forward output `y`: `dout · (1 - y) · y`. */
export const sigmoidBackward = <D extends FloatDType>(y: Tensor<D>, dout: Tensor<D>): Tensor<D> =>
  backward('sigmoid', y, dout);
