import type { AnyTypedArray, DType } from '../../dtype.js';
import { gpuDTypeOf, type GpuArray, type GpuDType, type GpuTypedArrayMap } from './buffers.js';
import { createConv } from './conv.js';
import { openDevice, type WebGpuOptions } from './device.js';
import { createElementwise } from './elementwise.js';
import { createFused } from './fused.js';
import { checkTile, chooseTile, createGemm, type Tile } from './gemm.js';
import { createReduce } from './reduce.js';
import { GpuRuntime, type RuntimeStats } from './runtime.js';
import { createSoftmax } from './softmax.js';
import type { GpuFusedKernels, GpuKernels } from './types.js';
import { createWindow } from './window.js';
import { webgpuKernels, type WebGpuKernels, type WebGpuKernelsOptions } from './tensor-kernels.js';

export type { GpuArray, GpuDType, GpuTypedArray, GpuTypedArrayMap } from './buffers.js';
export type { DawnAttempt, WebGpuModule, WebGpuOptions } from './device.js';
export type { RuntimeStats } from './runtime.js';
export type { Tile } from './gemm.js';
export type {
  GpuFusedKernels,
  GpuFusedName,
  GpuKernel,
  GpuKernels,
  OnGpu,
  RequiredKernelName,
} from './types.js';
export { onTypedArrays, typedArrayMover, type TypedArrayMover } from './typed.js';
export { webgpuKernels, type WebGpuKernels, type WebGpuKernelsOptions } from './tensor-kernels.js';
export type { GpuBlock, GpuCopyCounts, GpuPrecision, GpuStorage } from './storage.js';

/**
 * The webgpu backend: every kernel of both tiers (`Kernels`, `FusedKernels`) with the same names and
 * arguments, on arrays that live in GPU buffers (`GpuArray`) instead of typed arrays, float32 (plus
 * int32 and uint8 where the js kernels take them: elementwise ops, reductions, masks, indices).
 *
 * Kernels record into one command encoder and return at once; `read` submits what was recorded,
 * waits, and copies one array back (`flush` submits without reading). Arrays come from a pool keyed
 * by size: `release` gives one back for reuse once the work recorded so far is submitted. A GPU
 * error (a failed validation, running out of memory, the device lost) is kept with the name of the
 * kernel that caused it and thrown, as one line, by the next kernel call or `read`.
 */
export interface WebGpuBackend extends GpuKernels {
  readonly name: 'webgpu';
  /** The adapter in one line: vendor, device, driver and how it was found. */
  readonly adapter: string;
  /** A CPU implementation (llvmpipe, SwiftShader, WARP): correct, and slow. */
  readonly software: boolean;
  /** One line to show users when `software`, else undefined. */
  readonly warning: string | undefined;
  readonly limits: GPUSupportedLimits;
  /** The tile of the matrix products (GEMM, convolutions): `options.tile`, else the largest the device allows. */
  readonly tile: Readonly<Tile>;
  /** The device, for interop (its own buffers, timestamps); its loss is reported by the next call. */
  readonly device: GPUDevice;
  readonly fused: GpuFusedKernels;
  /**
   * Copies a typed array into a new GPU array (float64 throws: WGSL has no f64); `half` stores
   * float32 values as float16 (`GpuArray.half`).
   */
  upload(array: Float32Array, half?: boolean): GpuArray<'float32'>;
  upload(array: Int32Array): GpuArray<'int32'>;
  upload(array: Uint8Array): GpuArray<'uint8'>;
  upload(array: AnyTypedArray, half?: boolean): GpuArray;
  /** A zeroed GPU array (`half`: float32 stored as float16). */
  alloc<D extends GpuDType>(dtype: D, length: number, half?: boolean): GpuArray<D>;
  alloc(dtype: DType, length: number, half?: boolean): GpuArray;
  /** Submits the recorded work and copies `array` back. */
  read<D extends GpuDType>(array: GpuArray<D>): Promise<GpuTypedArrayMap[D]>;
  /** Records a copy of `from` into `to` (same dtype and length), in order with the kernels. */
  copy(from: GpuArray, to: GpuArray): void;
  /** Returns the array's buffer to the pool; the array must not be used afterwards. */
  release(array: GpuArray): void;
  /** Submits the recorded work without waiting. */
  flush(): void;
  /** Buffers created, pipelines compiled, dispatches and submits so far. */
  readonly stats: RuntimeStats;
  /** Frees the pools and the device; every later call throws. */
  destroy(): void;
}

function arrayDType(array: AnyTypedArray): DType {
  if (array instanceof Float32Array) return 'float32';
  if (array instanceof Float64Array) return 'float64';
  if (array instanceof Int32Array) return 'int32';
  return 'uint8';
}

export interface WebGpuBackendOptions extends WebGpuOptions {
  /**
   * The tile of the matrix products (GEMM and the convolutions): T × T invocations per workgroup,
   * each computing R × R results. Default: the largest the device allows (`chooseTile`: 16 × 16 of
   * 4 × 4, smaller under tight limits). For tuning on a real GPU (the bench sweeps it); a tile the
   * device cannot run throws one line when the backend is created.
   */
  tile?: Tile;
}

/**
 * Opens a WebGPU device and builds the backend on it. Throws one line when there is no WebGPU
 * (no `navigator.gpu`, and the optional npm package `webgpu` is not installed) or no adapter.
 */
export async function createWebGpuBackend(options: WebGpuBackendOptions = {}): Promise<WebGpuBackend> {
  const opened = await openDevice(options);
  const rt = new GpuRuntime(opened.device, opened.gpu);
  let tile: Tile;
  try {
    tile = options.tile ? checkTile(options.tile, rt.limits) : chooseTile(rt.limits);
  } catch (error) {
    rt.destroy();
    throw error;
  }
  const elementwise = createElementwise(rt);
  const window = createWindow(rt);
  const { softmax, softmaxCrossEntropyBackward } = createSoftmax(rt);
  const backend: WebGpuBackend = {
    name: 'webgpu',
    adapter: opened.adapter,
    software: opened.software,
    warning: opened.software
      ? `webgpu: ${opened.adapter} is a software (CPU) adapter: kernels are correct but slow; the wasm backend is faster here`
      : undefined,
    limits: rt.limits,
    tile,
    device: opened.device,
    gemm: createGemm(rt, tile),
    ...elementwise,
    reduce: createReduce(rt),
    ...window,
    ...createConv(rt, tile, window),
    softmax,
    fused: { softmaxCrossEntropyBackward, ...createFused(rt) },
    upload: ((array: AnyTypedArray, half: boolean = false): GpuArray => {
      const dtype = gpuDTypeOf('webgpu upload', arrayDType(array));
      return rt.upload(dtype, array as Float32Array | Int32Array | Uint8Array, half && dtype === 'float32');
    }) as WebGpuBackend['upload'],
    alloc(dtype: DType, length: number, half = false): GpuArray {
      if (!Number.isInteger(length) || length < 0) {
        throw new RangeError(`webgpu alloc: length must be a non-negative integer, got ${length}`);
      }
      const gpuType = gpuDTypeOf('webgpu alloc', dtype);
      return rt.alloc(gpuType, length, true, half && gpuType === 'float32');
    },
    read: (array) => rt.read(array) as never,
    copy: (from, to) => rt.copy(from, to),
    release: (array) => rt.release(array),
    flush: () => rt.flush(),
    get stats() {
      return rt.stats;
    },
    destroy: () => rt.destroy(),
  };
  return backend;
}

/**
 * A webgpu backend for tensors, networks, optimizers and the Trainer (`{ backend }`): opens a device
 * (`createWebGpuBackend`) and wraps its kernels (`webgpuKernels`). Never the default backend.
 */
export async function createWebGpuKernels(
  options: WebGpuBackendOptions & WebGpuKernelsOptions = {},
): Promise<WebGpuKernels> {
  return webgpuKernels(await createWebGpuBackend(options), options);
}
