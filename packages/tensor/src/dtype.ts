/**
 * Element types a tensor can hold. `float32` is the default (what the networks train in), `float64` is
 * for gradient checks, `int32` for labels and indices, `uint8` for raw images and boolean masks.
 */
export type DType = 'float32' | 'float64' | 'int32' | 'uint8';
export type FloatDType = 'float32' | 'float64';

/** The typed array that stores each dtype. */
export interface TypedArrayMap {
  float32: Float32Array;
  float64: Float64Array;
  int32: Int32Array;
  uint8: Uint8Array;
}
export type TypedArrayOf<D extends DType> = TypedArrayMap[D];
export type AnyTypedArray = TypedArrayMap[DType];
export type FloatArray = Float32Array | Float64Array;

export const DTYPES: readonly DType[] = ['float32', 'float64', 'int32', 'uint8'];

export function isDType(value: string): value is DType {
  return (DTYPES as readonly string[]).includes(value);
}

export function isFloatDType(dtype: DType): dtype is FloatDType {
  return dtype === 'float32' || dtype === 'float64';
}

/** The dtype a typed array stores, or undefined for other arrays. */
export function dtypeOfArray(array: ArrayLike<number>): DType | undefined {
  if (array instanceof Float32Array) return 'float32';
  if (array instanceof Float64Array) return 'float64';
  if (array instanceof Int32Array) return 'int32';
  if (array instanceof Uint8Array) return 'uint8';
  return undefined;
}
