import type { AnyTypedArray } from '../../dtype.js';
import type { FusedKernels, Kernels } from '../kernels.js';
import type { GpuArray } from './buffers.js';

/**
 * The kernel types of the webgpu backend, derived from `kernels.ts` so they cannot drift: every
 * typed-array operand (in an argument or in a field of an argument object, optional or not) becomes
 * a `GpuArray`; everything else (sizes, flags, geometry, hyper-parameters) stays as it is.
 */
export type OnGpu<T> = T extends AnyTypedArray
  ? GpuArray
  : T extends readonly unknown[]
    ? T
    : T extends object
      ? { [K in keyof T]: OnGpu<T[K]> }
      : T;

/** A kernel's signature with GPU operands. */
export type GpuKernel<F> = F extends (...args: infer P) => infer R
  ? (...args: { [K in keyof P]: OnGpu<P[K]> }) => R
  : never;

/** The required tier's kernel names (what `Kernels` has but its name, fused tier and storage). */
export type RequiredKernelName = Exclude<keyof Kernels, 'name' | 'fused' | 'storage'>;

/** The required tier on GPU arrays: same names and arguments as `Kernels`. */
export type GpuKernels = { readonly [K in RequiredKernelName]: GpuKernel<Kernels[K]> };

/** The fused tier on GPU arrays; this backend offers every one. */
export type GpuFusedKernels = {
  readonly [K in GpuFusedName]-?: GpuKernel<NonNullable<FusedKernels[K]>>;
};

/**
 * The fused kernels this backend offers: all but `scaleBytes`, whose bytes and output are a batch
 * on the CPU here (a GPU network moves the scaled batch up once).
 */
export type GpuFusedName = Exclude<keyof FusedKernels, 'scaleBytes'>;

/** What the runtime has done so far: buffers created, pipelines compiled, dispatches, submits. */
export interface RuntimeStats {
  /** Storage buffers created (allocations that the pool could not serve). */
  buffersCreated: number;
  pipelines: number;
  dispatches: number;
  submits: number;
}
