import { isFloatDType, type FloatDType } from '../dtype.js';
import { allocate } from '../allocate.js';
import { ShapeError, shapeToString, shapesEqual, sizeOf, type Shape } from '../shape.js';
import { Tensor } from '../tensor.js';
import { decodeBFloat16, encodeBFloat16 } from './bfloat16.js';
import { decodeFloat16, encodeFloat16 } from './float16.js';
import type { HalfFormat } from './half-format.js';

/**
 * Tensors in 16-bit floats: for storage (safetensors `F16` / `BF16` hold exactly these patterns,
 * little-endian) and for measuring what reduced precision costs a trained network. Tensors never hold
 * 16-bit data themselves: compute stays in float32/float64.
 */

function checkFloat(op: string, t: Tensor): void {
  if (!isFloatDType(t.dtype))
    throw new TypeError(`${op}: dtype ${t.dtype} is not a float dtype; convert with astype('float32')`);
}

/** The 16-bit patterns of a float tensor's values, row-major, rounded to nearest even. */
export function toHalf(t: Tensor<FloatDType>, format: HalfFormat): Uint16Array {
  checkFloat(format === 'float16' ? 'toFloat16' : 'toBFloat16', t);
  return format === 'float16' ? encodeFloat16(t.data) : encodeBFloat16(t.data);
}

/** A float32 tensor of `shape` from 16-bit patterns (every 16-bit value is exact in float32). */
export function fromHalf(bits: Uint16Array, shape: Shape, format: HalfFormat): Tensor<'float32'> {
  if (bits.length !== sizeOf(shape)) {
    throw new ShapeError(
      `${format === 'float16' ? 'fromFloat16' : 'fromBFloat16'}: ${bits.length} values do not fill shape ${shapeToString(shape)}`,
    );
  }
  const data = format === 'float16' ? decodeFloat16(bits) : decodeBFloat16(bits);
  return new Tensor(data, shape, 'float32');
}

export const toFloat16 = (t: Tensor<FloatDType>): Uint16Array => toHalf(t, 'float16');
export const toBFloat16 = (t: Tensor<FloatDType>): Uint16Array => toHalf(t, 'bfloat16');
export const fromFloat16 = (bits: Uint16Array, shape: Shape): Tensor<'float32'> =>
  fromHalf(bits, shape, 'float16');
export const fromBFloat16 = (bits: Uint16Array, shape: Shape): Tensor<'float32'> =>
  fromHalf(bits, shape, 'bfloat16');

/**
 * `t`'s values rounded to the nearest 16-bit float, in `t`'s own dtype: what a network computes with
 * when its weights were stored in `format`. Into `out` when given (may be `t` itself: in place).
 */
export function roundToHalf<D extends FloatDType>(
  t: Tensor<D>,
  format: HalfFormat,
  options: { out?: Tensor<D> } = {},
): Tensor<D> {
  checkFloat('roundToHalf', t);
  const out = options.out ?? new Tensor(allocate(t.dtype, t.size), t.shape, t.dtype);
  if (out.dtype !== t.dtype || !shapesEqual(out.shape, t.shape)) {
    throw new ShapeError(
      `roundToHalf: out is ${out.dtype} ${shapeToString(out.shape)}, t is ${t.dtype} ${shapeToString(t.shape)}`,
    );
  }
  const bits = toHalf(t, format);
  if (out.data instanceof Float32Array) {
    if (format === 'float16') decodeFloat16(bits, out.data);
    else decodeBFloat16(bits, out.data);
  } else {
    // float64: widen each float32 value (exact).
    const wide = format === 'float16' ? decodeFloat16(bits) : decodeBFloat16(bits);
    out.data.set(wide);
  }
  return out;
}

export const roundToFloat16 = <D extends FloatDType>(
  t: Tensor<D>,
  options?: { out?: Tensor<D> },
): Tensor<D> => roundToHalf(t, 'float16', options);
export const roundToBFloat16 = <D extends FloatDType>(
  t: Tensor<D>,
  options?: { out?: Tensor<D> },
): Tensor<D> => roundToHalf(t, 'bfloat16', options);
