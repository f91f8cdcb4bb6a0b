import type { AnyTypedArray, DType, TypedArrayOf } from './dtype.js';

/**
 * Storage owned by a backend. The `js` backend keeps plain typed arrays; a backend with its own
 * memory (`wasm`: its linear memory; later `webgpu`: GPU buffers) allocates a tensor's elements there
 * and hands out views. A view is registered with its block, so a tensor made over it (a reshape, or
 * `new Tensor(view, ...)`) finds the block again, and a kernel finds the block's address even after
 * the memory grew (non-shared WebAssembly memory detaches its old buffer on growth).
 *
 * Lifetimes without `dispose()`: a step scope (`stepScope`) releases what was allocated inside it and
 * not returned; networks and optimizers hold their long-lived buffers; a `FinalizationRegistry` frees
 * what nobody references any more (the backstop for tensors made outside any scope).
 */
export interface BackendStorage {
  /**
   * A zero-filled array of `length` elements of `dtype` in this backend's memory, registered as a
   * view of its block. `label` names it in an out-of-memory error (e.g. `matmul [100,50]`). With
   * `zero` false the elements are left as they are (for an output a kernel overwrites whole).
   */
  allocate<D extends DType>(dtype: D, length: number, label?: string, zero?: boolean): TypedArrayOf<D>;
  /** Runs `fn` as one step: blocks allocated inside and not reachable from its result are released. */
  scope<T>(fn: () => T, survivors: (result: T) => Iterable<StorageBlock>): T;
  /** Runs `fn` with allocations belonging to no step (long-lived state made lazily inside a step). */
  unscoped<T>(fn: () => T): T;
  /**
   * True when tensors live where the CPU cannot address them (`webgpu`: GPU buffers). Then
   * `allocate` returns a stand-in array (see `StorageBlock.operand`) whose elements throw when
   * touched, `Tensor.data` throws, values come in through `upload` and out through `read`, and
   * code that would split an array into views (`subarray`) hands kernels whole arrays instead.
   */
  readonly deviceResident?: boolean;
  /**
   * A new block holding a copy of `array` (host values: initial weights, a scalar operand), as
   * `allocate` returns it. Present where the CPU cannot write the backend's memory directly.
   */
  upload?<D extends DType>(array: TypedArrayOf<D>, label?: string): TypedArrayOf<D>;
  /**
   * Throws the one-line error `allocate` or `upload` would throw for a tensor this storage cannot
   * hold, before the caller does any work to fill it (optional).
   */
  checkAllocation?(dtype: DType, length: number, label?: string): void;
  /**
   * Copies `from`'s elements into `to` (same dtype and length; `to` a block of this storage, `from`
   * one or a host array), in order with the kernels. Present where the CPU cannot copy them.
   */
  copy?(from: AnyTypedArray, to: AnyTypedArray): void;
  /**
   * `float16` where this storage keeps a step's float32 tensors in half precision (`webgpu` with
   * `precision: 'float16'`); absent or `float32` where tensors are stored as their dtype says.
   */
  readonly precision?: 'float32' | 'float16';
  /**
   * A float32 array stored as float16 that outlives every step: a network's float16 copy of a
   * float32 master weight (mixed precision), refreshed by `copy(master, it)`, which converts.
   * Present where `precision` can be `float16`.
   */
  allocateHalf?(length: number, label?: string): Float32Array;
}

/** A block of a backend's memory holding one tensor's elements (views of it share the block). */
export interface StorageBlock {
  readonly dtype: DType;
  readonly length: number;
  /** A view of the elements; throws when the block was released, or cannot be read synchronously. */
  view(): AnyTypedArray;
  /**
   * The array kernels take for this block: the live view where the CPU addresses the memory
   * (`wasm`), a registered stand-in of the right type and length where it cannot (`webgpu`).
   */
  operand(): AnyTypedArray;
  /** A copy of the elements, from wherever they live (absent: `view()` is synchronous). */
  read?(): Promise<AnyTypedArray>;
}

const blocks = new WeakMap<object, StorageBlock>();

/** Records that `view` shows the elements of `block`. */
export function registerView(view: AnyTypedArray, block: StorageBlock): void {
  blocks.set(view, block);
}

/** The block `array` is a registered view of (possibly detached by memory growth since), if any. */
export function blockOf(array: AnyTypedArray): StorageBlock | undefined {
  return blocks.get(array);
}

/** How a tensor exposes its block to a scope (a symbol, so the storage module needs no Tensor import). */
export const STORAGE_BLOCK: unique symbol = Symbol('dl.storageBlock');

interface HasBlock {
  readonly [STORAGE_BLOCK]: StorageBlock | undefined;
}

function hasBlock(value: object): value is HasBlock {
  return STORAGE_BLOCK in value;
}

/**
 * The blocks of every tensor in `result`: the result itself, or tensors inside arrays, Maps and plain
 * objects (a few levels deep), which is where a step returns what it keeps.
 */
export function* blocksIn(result: unknown, depth = 4): Generator<StorageBlock> {
  if (result === null || typeof result !== 'object' || depth < 0) return;
  if (hasBlock(result)) {
    const block = result[STORAGE_BLOCK];
    if (block !== undefined) yield block;
    return;
  }
  if (Array.isArray(result)) {
    for (const item of result) yield* blocksIn(item, depth - 1);
  } else if (result instanceof Map) {
    for (const item of result.values()) yield* blocksIn(item, depth - 1);
  } else if (Object.getPrototypeOf(result) === Object.prototype) {
    for (const item of Object.values(result)) yield* blocksIn(item, depth - 1);
  }
}
