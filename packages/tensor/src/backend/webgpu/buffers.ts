/// <reference types="webgpu" preserve="true" />
import type { DType } from '../../dtype.js';

/**
 * Arrays in GPU memory. A `GpuArray` is a storage buffer with the dtype and element count it holds;
 * the buffer may be longer (sizes are padded to 16 bytes). `uint8` is stored **packed, four
 * elements per 32-bit word**, little-endian (element `i` is byte `i & 3` of word `i >> 2`), so an
 * upload or a read is a plain byte copy; kernels that write `uint8` write whole words, one
 * invocation per four elements, so no two invocations share a word. `float64` has no place here:
 * WGSL has no f64.
 */
export type GpuDType = 'float32' | 'int32' | 'uint8';

export interface GpuArray<D extends GpuDType = GpuDType> {
  readonly buffer: GPUBuffer;
  readonly dtype: D;
  readonly length: number;
  /**
   * A float32 array stored as IEEE float16, two elements per 32-bit word (element `i` in the low
   * half of word `i >> 1` when `i` is even): kernels read it through `unpack2x16float` and compute
   * in f32, and write it through `pack2x16float` (book 8.3's reduced precision, as storage).
   */
  readonly half?: boolean;
}

/** The typed array a read gives back for each dtype. */
export interface GpuTypedArrayMap {
  float32: Float32Array;
  int32: Int32Array;
  uint8: Uint8Array;
}
export type GpuTypedArray = GpuTypedArrayMap[GpuDType];

/** Bytes of storage for `length` elements: 4 per element, 2 for float16, 1 for packed uint8; at least 16, a multiple of 16. */
export function byteSize(dtype: GpuDType, length: number, half = false): number {
  const raw = dtype === 'uint8' ? length : half ? length * 2 : length * 4;
  return Math.max(16, Math.ceil(raw / 16) * 16);
}

/** The dtype a typed array becomes on the GPU, or an error for one WGSL cannot hold. */
export function gpuDTypeOf(where: string, dtype: DType): GpuDType {
  if (dtype === 'float64') {
    throw new TypeError(`${where}: float64 is not supported on webgpu (WGSL has no f64); use float32`);
  }
  return dtype;
}

/**
 * Buffers by byte size, for reuse: a released buffer waits until the work recorded so far is
 * submitted (`settle`), because that work may still read it; after that any later use is ordered
 * behind it on the queue. A training step that allocates and releases the same sizes every time
 * thus creates no buffers after the first.
 */
export class BufferPool {
  private readonly free = new Map<number, GPUBuffer[]>();
  private pending: GPUBuffer[] = [];
  /** Buffers this pool created, and their sizes (to catch a double release or a foreign buffer). */
  private readonly sizes = new WeakMap<GPUBuffer, number>();
  private readonly idle = new WeakSet<GPUBuffer>();
  /** Buffers created so far (a pool that works keeps this constant in steady state). */
  created = 0;

  constructor(
    private readonly device: GPUDevice,
    private readonly usage: number,
    private readonly label: string,
  ) {}

  /** A buffer of exactly `size` bytes, reused if one is free; `fresh` tells whether it is new (zeroed). */
  take(size: number): { buffer: GPUBuffer; fresh: boolean } {
    const reused = this.free.get(size)?.pop();
    if (reused) {
      this.idle.delete(reused);
      return { buffer: reused, fresh: false };
    }
    const buffer = this.device.createBuffer({ size, usage: this.usage, label: this.label });
    this.sizes.set(buffer, size);
    this.created++;
    return { buffer, fresh: true };
  }

  /** Gives a buffer back; it becomes reusable at the next `settle`. */
  give(buffer: GPUBuffer, where: string): void {
    if (!this.sizes.has(buffer)) throw new Error(`${where}: the buffer was not allocated by this backend`);
    if (this.idle.has(buffer)) throw new Error(`${where}: the array was already released`);
    this.idle.add(buffer);
    this.pending.push(buffer);
  }

  /** Called after a submit: released buffers are now safe to hand out again. */
  settle(): void {
    for (const buffer of this.pending) {
      const size = this.sizes.get(buffer)!;
      let list = this.free.get(size);
      if (!list) this.free.set(size, (list = []));
      list.push(buffer);
    }
    this.pending = [];
  }

  /** Destroys every free buffer (memory back to the driver); buffers in use are the caller's. */
  trim(): void {
    this.settle();
    for (const list of this.free.values()) for (const b of list) b.destroy();
    this.free.clear();
  }
}
