import { dtypeOfArray, type AnyTypedArray, type DType, type TypedArrayOf } from '../../dtype.js';
import { blockOf, registerView, type BackendStorage, type StorageBlock } from '../../storage.js';
import { releasedError, StepScopes, type ReleasableBlock } from '../../step-scopes.js';
import { byteSize, gpuDTypeOf, type GpuArray } from './buffers.js';
import type { WebGpuBackend } from './index.js';

/** How float32 tensors are stored: as float32, or (those of a step) as float16. */
export type GpuPrecision = 'float32' | 'float16';

/** Uploads and reads of values crossing between the CPU and the GPU, counted for tests and the bench. */
export interface GpuCopyCounts {
  /** Host arrays written to GPU buffers: uploads of new tensors and kernel operands from the CPU. */
  inCalls: number;
  inBytes: number;
  /** Reads of tensors back to the CPU (`await t.read()`). */
  outCalls: number;
  outBytes: number;
}

const EMPTY: { readonly [D in DType]: () => TypedArrayOf<D> } = {
  float32: () => new Float32Array(0),
  float64: () => new Float64Array(0),
  int32: () => new Int32Array(0),
  uint8: () => new Uint8Array(0),
};

function isIndex(key: string | symbol): boolean {
  return typeof key === 'string' && key !== '' && String(Number(key)) === key;
}

/**
 * A stand-in for a GPU block where the code above kernels passes typed arrays: an array of the
 * block's type (`instanceof` holds) and length that owns no elements. Its `length` and type read
 * as usual; any element, `subarray`, `set` or other access to the values throws, naming the
 * tensor, so CPU code that reached a GPU tensor fails loudly instead of reading zeros or writing
 * nowhere. Kernels map it back to its buffer through the storage's view registry.
 */
function standIn<D extends DType>(dtype: D, length: number, describe: () => string): TypedArrayOf<D> {
  const fail = (): never => {
    throw new Error(
      `${describe()} lives in GPU memory (webgpu): read it with \`await tensor.read()\`; CPU code cannot touch its elements`,
    );
  };
  const handler: ProxyHandler<AnyTypedArray> = {
    get(target, key) {
      if (key === 'length') return length;
      if (key === 'constructor' || key === 'BYTES_PER_ELEMENT') return Reflect.get(target, key) as unknown;
      if (key === Symbol.toPrimitive || key === 'then') return undefined;
      return fail();
    },
    set: fail,
    has: (target, key) => (isIndex(key) ? fail() : Reflect.has(target, key)),
    ownKeys: fail,
    getOwnPropertyDescriptor: fail,
    defineProperty: fail,
    deleteProperty: fail,
  };
  return new Proxy(EMPTY[dtype](), handler) as TypedArrayOf<D>;
}

/** One tensor's GPU buffer, with its stand-in array. */
export class GpuBlock implements ReleasableBlock {
  readonly #array: GpuArray;
  readonly #standIn: AnyTypedArray;
  #releasedAtStep: number | undefined;

  constructor(
    private readonly storage: GpuStorage,
    readonly dtype: DType,
    array: GpuArray,
    private readonly label: string | undefined,
  ) {
    this.#array = array;
    this.#standIn = standIn(dtype, array.length, () => this.describe());
    registerView(this.#standIn, this);
  }

  get length(): number {
    return this.#array.length;
  }

  private describe(): string {
    return `${this.label ?? 'a tensor'} (${this.dtype}, ${this.length} elements)`;
  }

  /** The buffer kernels bind (throws once released: the pool may have handed it to another tensor). */
  gpu(): GpuArray {
    if (this.#releasedAtStep !== undefined)
      throw releasedError(this.dtype, this.length, this.#releasedAtStep);
    return this.#array;
  }

  view(): AnyTypedArray {
    this.gpu();
    throw new Error(
      `${this.describe()} lives in GPU memory (webgpu): \`.data\` cannot read it synchronously; use \`await tensor.read()\``,
    );
  }

  operand(): AnyTypedArray {
    this.gpu();
    return this.#standIn;
  }

  read(): Promise<AnyTypedArray> {
    return this.storage.read(this.gpu());
  }

  release(step: number | undefined): void {
    if (this.#releasedAtStep !== undefined) return;
    this.#releasedAtStep = step ?? -1;
    this.storage.free(this.#array);
  }
}

/**
 * The webgpu backend's storage: a tensor tied to it is a pooled GPU buffer (`GpuBlock`), reached
 * from the code above kernels through its stand-in array. Values come in by `upload` (a new
 * tensor's host values) and out by `read`; step scopes release a step's buffers back to the pool,
 * and a `FinalizationRegistry` those of tensors made outside every step once they are garbage.
 */
export class GpuStorage implements BackendStorage {
  readonly deviceResident = true;
  readonly copies: GpuCopyCounts = { inCalls: 0, inBytes: 0, outCalls: 0, outBytes: 0 };
  readonly #gpu: WebGpuBackend;
  readonly #registry = new FinalizationRegistry<GpuArray>((array) => this.free(array));
  readonly #scopes = new StepScopes<GpuBlock>((block) => this.#registry.register(block, block.gpu()));
  #liveBlocks = 0;

  /**
   * `float16`: what a step allocates in float32 (activations, their gradients, the loss) is stored
   * as float16 (`GpuArray.half`); what lives across steps (parameters, their gradients, optimizer
   * slots, BatchNorm's running statistics) stays float32, so updates too small for a float16
   * weight are not lost. A network computes from float16 copies of its float32 weights
   * (`allocateHalf`, refreshed by `copy`): mixed precision, with float32 masters.
   */
  readonly precision: GpuPrecision;

  constructor(gpu: WebGpuBackend, precision: GpuPrecision = 'float32') {
    this.#gpu = gpu;
    this.precision = precision;
  }

  /** float16 storage for this allocation: a float32 tensor of a step, on a float16 backend. */
  #half(dtype: DType): boolean {
    return this.precision === 'float16' && dtype === 'float32' && this.#scopes.inStep;
  }

  get steps(): number {
    return this.#scopes.steps;
  }

  /** Tensors whose buffers are held now (a training loop's count stays flat). */
  get liveBlocks(): number {
    return this.#liveBlocks;
  }

  /** The one-line error for a tensor larger than one storage binding may be, before any work. */
  #checkSize(dtype: DType, length: number, half: boolean, label: string | undefined): void {
    const limit = this.#gpu.limits.maxStorageBufferBindingSize;
    const bytes = byteSize(gpuDTypeOf(label ?? 'webgpu', dtype), length, half);
    if (bytes <= limit) return;
    const mib = (n: number): string => `${(n / 2 ** 20).toFixed(n < 2 ** 30 ? 1 : 0)} MiB`;
    throw new Error(
      `webgpu: ${label ?? `a ${dtype} tensor of ${length} elements`} needs ${mib(bytes)}, more than this device binds in one buffer (${mib(limit)}); use a smaller batch`,
    );
  }

  checkAllocation(dtype: DType, length: number, label?: string): void {
    this.#checkSize(dtype, length, this.#half(dtype), label);
  }

  allocate<D extends DType>(dtype: D, length: number, label?: string, zero = true): TypedArrayOf<D> {
    const half = this.#half(dtype);
    this.#checkSize(dtype, length, half, label);
    const array = this.#gpu.alloc(gpuDTypeOf(label ?? 'webgpu', dtype), length, half);
    // `alloc` zeroes; an output a kernel overwrites whole needs no zeros, but a pooled buffer's
    // old contents are harmless there, so one path serves both.
    void zero;
    return this.#adopt(dtype, array, label);
  }

  allocateHalf(length: number, label?: string): Float32Array {
    this.#checkSize('float32', length, true, label);
    // Outside every step whatever runs now: the copy is kept and refreshed, never reallocated.
    return this.#scopes.unscoped(() =>
      this.#adopt('float32', this.#gpu.alloc('float32', length, true), label),
    );
  }

  upload<D extends DType>(array: TypedArrayOf<D>, label?: string): TypedArrayOf<D> {
    const dtype = gpuDTypeOf(label ?? 'webgpu upload', dtypeOfArray(array)!) as D;
    const half = this.#half(dtype);
    this.#checkSize(dtype, array.length, half, label);
    const gpu = this.#gpu.upload(array as Float32Array, half);
    this.copies.inCalls++;
    this.copies.inBytes += array.byteLength;
    return this.#adopt(dtype, gpu, label);
  }

  copy(from: AnyTypedArray, to: AnyTypedArray): void {
    const target = blockOf(to);
    if (!(target instanceof GpuBlock))
      throw new Error('webgpu copy: the target is not a tensor of this backend');
    const source = blockOf(from);
    if (source instanceof GpuBlock) {
      this.#gpu.copy(source.gpu(), target.gpu());
      return;
    }
    const temporary = this.uploadTemporary(from);
    this.#gpu.copy(temporary, target.gpu());
    this.releaseTemporary(temporary);
  }

  /** A temporary copy of a host array for one kernel call (counted as a copy in). */
  uploadTemporary(array: AnyTypedArray): GpuArray {
    gpuDTypeOf('webgpu kernel operand', dtypeOfArray(array)!);
    this.copies.inCalls++;
    this.copies.inBytes += array.byteLength;
    return this.#gpu.upload(array);
  }

  /** Gives a temporary back (reused once the work recorded so far is submitted). */
  releaseTemporary(array: GpuArray): void {
    this.#gpu.release(array);
  }

  #adopt<D extends DType>(dtype: D, array: GpuArray, label: string | undefined): TypedArrayOf<D> {
    const block = new GpuBlock(this, dtype, array, label);
    this.#liveBlocks++;
    this.#scopes.adopt(block);
    return block.operand() as TypedArrayOf<D>;
  }

  async read(array: GpuArray): Promise<AnyTypedArray> {
    const values = await this.#gpu.read(array);
    this.copies.outCalls++;
    this.copies.outBytes += values.byteLength;
    return values;
  }

  free(array: GpuArray): void {
    this.#liveBlocks--;
    this.#gpu.release(array);
  }

  unscoped<T>(fn: () => T): T {
    return this.#scopes.unscoped(fn);
  }

  scope<T>(fn: () => T, survivors: (result: T) => Iterable<StorageBlock>): T {
    return this.#scopes.scope(fn, survivors);
  }
}
