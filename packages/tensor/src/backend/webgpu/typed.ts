import type { AnyTypedArray } from '../../dtype.js';
import type { GpuArray } from './buffers.js';
import type { WebGpuBackend } from './index.js';
import type { OnGpu } from './types.js';

/**
 * Runs webgpu kernels on typed arrays: `fn` gets `move`, which uploads the typed arrays in a kernel's
 * arguments (an argument or an argument object's fields; the same typed array twice becomes one GPU
 * array, so in-place calls stay in place); when `fn` returns, every moved array is read back into its
 * typed array and released. For tests, tools and one-off calls: each call pays an upload and a
 * readback of every operand. Example: `await onTypedArrays(gpu, (move) => gpu.gemm(move(args)))`.
 */
export async function onTypedArrays<R>(
  backend: WebGpuBackend,
  fn: (move: <T>(value: T) => OnGpu<T>) => R,
): Promise<R> {
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
  try {
    const result = fn(move);
    for (const [typed, gpu] of moved) typed.set(await backend.read(gpu));
    return result;
  } finally {
    for (const gpu of moved.values()) backend.release(gpu);
  }
}
