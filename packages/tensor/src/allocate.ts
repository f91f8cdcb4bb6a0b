import { boundBackend } from './backend/index.js';
import type { Kernels } from './backend/kernels.js';
import { activeBufferPool, POOLED_LENGTH } from './buffer-pool.js';
import type { DType, TypedArrayOf } from './dtype.js';

// Apart from dtype.ts so that imports run one way: allocate -> buffer-pool -> dtype.

/**
 * A zero-filled typed array of `length` elements of `dtype` for a tensor on `backend` (by default
 * the explicit backend of the running `onBackend`). A backend with its own storage (`wasm`) gives a
 * view of its memory (`label` names the tensor if that memory runs out); otherwise a fresh array,
 * or inside `withBufferPool` (large arrays only) one reused from the pool's previous step
 * (see buffer-pool.ts).
 */
export function allocate<D extends DType>(
  dtype: D,
  length: number,
  backend: Kernels | undefined = boundBackend(),
  label?: string,
): TypedArrayOf<D> {
  return make(dtype, length, backend, label, true);
}

/**
 * As `allocate`, for an array a kernel is about to overwrite whole (an op's output): its elements are
 * left as they are, which saves a pass over memory when the backend or the pool reuses a block (a
 * fresh array is zero anyway). Never for an output some elements of which are not written.
 */
export function allocateOutput<D extends DType>(
  dtype: D,
  length: number,
  backend: Kernels | undefined = boundBackend(),
  label?: string,
): TypedArrayOf<D> {
  return make(dtype, length, backend, label, false);
}

/**
 * An array of `length` elements of `dtype` for a tensor on `backend`, filled by `fill` on the CPU:
 * in place where the CPU writes the backend's memory (`js`, `wasm`), else filled in a plain array
 * and uploaded (`webgpu`). How values made in JavaScript (initial weights, constants) get anywhere.
 */
export function allocateFilled<D extends DType>(
  dtype: D,
  length: number,
  fill: (array: TypedArrayOf<D>) => void,
  backend: Kernels | undefined = boundBackend(),
  label?: string,
): TypedArrayOf<D> {
  const storage = backend?.storage;
  if (storage?.upload === undefined) {
    const array = make(dtype, length, backend, label, true);
    fill(array);
    return array;
  }
  storage.checkAllocation?.(dtype, length, label);
  const host = fresh(dtype, length);
  fill(host);
  return storage.upload(host, label);
}

/**
 * Whether `backend` keeps tensors where the CPU cannot address them (`webgpu`): code with a CPU
 * loop over a tensor's elements takes an op or kernel path there instead (see
 * `BackendStorage.deviceResident`).
 */
export function isDeviceResident(backend: Kernels | undefined = boundBackend()): boolean {
  return backend?.storage?.deviceResident === true;
}

function make<D extends DType>(
  dtype: D,
  length: number,
  backend: Kernels | undefined,
  label: string | undefined,
  zero: boolean,
): TypedArrayOf<D> {
  const storage = backend?.storage;
  if (storage !== undefined) return storage.allocate(dtype, length, label, zero);
  const pool = activeBufferPool();
  if (pool && length >= POOLED_LENGTH) return pool.take(dtype, length, () => fresh(dtype, length), zero);
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
