import type { AnyTypedArray } from '../../dtype.js';
import type { GpuArray } from './buffers.js';
import type { WebGpuBackend } from './index.js';
import type { OnGpu } from './types.js';

/** Moves typed arrays to the GPU for kernel calls and, on `settle`, back (see `typedArrayMover`). */
export interface TypedArrayMover {
  /**
   * Uploads the typed arrays in a kernel's arguments (an argument or an argument object's fields;
   * the same typed array twice becomes one GPU array, so in-place calls stay in place).
   */
  readonly move: <T>(value: T) => OnGpu<T>;
  /** Reads every moved array back into its typed array, then releases the GPU copies. */
  readonly settle: () => Promise<void>;
}

/**
 * Webgpu kernels on typed arrays, for tests and tools: `move` the arguments of any number of
 * calls, then `await settle()` to see the results in the typed arrays. Each array pays an upload
 * and a readback.
 */
export function typedArrayMover(backend: WebGpuBackend): TypedArrayMover {
  const moved = new Map<AnyTypedArray, GpuArray>();
  const isTyped = (v: unknown): v is AnyTypedArray =>
    v instanceof Float32Array ||
    v instanceof Float64Array ||
    v instanceof Int32Array ||
    v instanceof Uint8Array;
  const one = (v: AnyTypedArray): GpuArray => {
    let a = moved.get(v);
    if (!a) moved.set(v, (a = backend.upload(v)));
    return a;
  };
  const move = <T>(value: T): OnGpu<T> => {
    if (isTyped(value)) return one(value) as OnGpu<T>;
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return value as OnGpu<T>;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = isTyped(v) ? one(v) : v;
    return out as OnGpu<T>;
  };
  const settle = async (): Promise<void> => {
    try {
      for (const [typed, gpu] of moved) typed.set(await backend.read(gpu));
    } finally {
      for (const gpu of moved.values()) backend.release(gpu);
      moved.clear();
    }
  };
  return { move, settle };
}

/**
 * Runs webgpu kernels on typed arrays: `fn` gets `move` (see `TypedArrayMover`); when `fn`
 * returns, every moved array is read back into its typed array and released. For tests, tools and
 * one-off calls. Example: `await onTypedArrays(gpu, (move) => gpu.gemm(move(args)))`.
 */
export async function onTypedArrays<R>(
  backend: WebGpuBackend,
  fn: (move: <T>(value: T) => OnGpu<T>) => R,
): Promise<R> {
  const mover = typedArrayMover(backend);
  let result: R;
  try {
    result = fn(mover.move);
  } catch (error) {
    await mover.settle().catch(() => undefined);
    throw error;
  }
  await mover.settle();
  return result;
}
