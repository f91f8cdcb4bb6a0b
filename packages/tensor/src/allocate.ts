import { activeBufferPool, POOLED_LENGTH } from './buffer-pool.js';
import type { DType, TypedArrayOf } from './dtype.js';

// Apart from dtype.ts so that imports run one way: allocate -> buffer-pool -> dtype.

/**
 * A zero-filled typed array of `length` elements of `dtype`: fresh, or inside `withBufferPool` (large
 * arrays only) one reused from the pool's previous step (see buffer-pool.ts).
 */
export function allocate<D extends DType>(dtype: D, length: number): TypedArrayOf<D> {
  const pool = activeBufferPool();
  if (pool && length >= POOLED_LENGTH) return pool.take(dtype, length, () => fresh(dtype, length));
  return fresh(dtype, length);
}

function fresh<D extends DType>(dtype: D, length: number): TypedArrayOf<D> {
  switch (dtype) {
    case 'float32':
      return new Float32Array(length) as TypedArrayOf<D>;
    case 'float64':
      return new Float64Array(length) as TypedArrayOf<D>;
    case 'int32':
      return new Int32Array(length) as TypedArrayOf<D>;
    case 'uint8':
      return new Uint8Array(length) as TypedArrayOf<D>;
  }
  throw new Error(`allocate: unknown dtype '${String(dtype)}'`);
}
