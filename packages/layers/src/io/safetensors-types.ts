import type { DType, Tensor } from '@dl/tensor';

/**
 * The safetensors dtypes we read and write. F32/F64/I32/U8 become `Tensor`s; F16 and BF16 stay raw
 * 16-bit words (`HalfTensor`) until @dl/tensor converts them. Other dtypes of the format (I64, BOOL,
 * F8_*, ...) are rejected with a clear error.
 */
export type SafetensorsDType = 'F32' | 'F64' | 'I32' | 'U8' | 'F16' | 'BF16';
export type HalfDType = 'F16' | 'BF16';

/** A float16 or bfloat16 tensor as stored: one `Uint16Array` word per element, row-major. */
export interface HalfTensor {
  readonly dtype: HalfDType;
  readonly shape: readonly number[];
  readonly data: Uint16Array;
}

/** What a safetensors file holds per name: a `Tensor`, or raw half-precision words. */
export type StoredTensor = Tensor | HalfTensor;

export function isHalfTensor(t: StoredTensor): t is HalfTensor {
  return t.dtype === 'F16' || t.dtype === 'BF16';
}

/** The file's dtype name for a tensor dtype, and back. */
export const SAFETENSORS_DTYPE_OF: { readonly [D in DType]: SafetensorsDType } = {
  float32: 'F32',
  float64: 'F64',
  int32: 'I32',
  uint8: 'U8',
};
export const TENSOR_DTYPE_OF: { readonly [S in SafetensorsDType]: DType | HalfDType } = {
  F32: 'float32',
  F64: 'float64',
  I32: 'int32',
  U8: 'uint8',
  F16: 'F16',
  BF16: 'BF16',
};
export const BYTES_PER_ELEMENT: { readonly [S in SafetensorsDType]: number } = {
  F32: 4,
  F64: 8,
  I32: 4,
  U8: 1,
  F16: 2,
  BF16: 2,
};

export function isSafetensorsDType(value: string): value is SafetensorsDType {
  return Object.hasOwn(BYTES_PER_ELEMENT, value);
}

/** The reserved header key for string metadata. */
export const METADATA_KEY = '__metadata__';

/** A malformed safetensors file, or tensors that cannot be written; the message names the file when known. */
export class SafetensorsError extends Error {
  readonly file: string | undefined;

  constructor(message: string, file?: string) {
    super(file === undefined ? `safetensors: ${message}` : `safetensors (${file}): ${message}`);
    this.name = 'SafetensorsError';
    this.file = file;
  }
}

/** NOTE: typed arrays use the host's byte order; safetensors is little-endian. Every JS engine we target is too. */
export const HOST_IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Reverses the bytes of each `width`-byte element in place (big-endian hosts only). */
export function swapBytes(bytes: Uint8Array, width: number): void {
  if (width === 1) return;
  for (let i = 0; i + width <= bytes.length; i += width) bytes.subarray(i, i + width).reverse();
}
