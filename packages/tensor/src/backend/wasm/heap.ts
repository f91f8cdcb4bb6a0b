import type { AnyTypedArray, DType, TypedArrayOf } from '../../dtype.js';
import { blockOf, registerView, type BackendStorage, type StorageBlock } from '../../storage.js';
import { WASM_PAGE_BYTES, type WasmMemory } from './api.js';
import { releasedError, StepScopes, type ReleasableBlock } from '../../step-scopes.js';

/** Blocks start on 64-byte boundaries: a cache line, and aligned for v128 loads. */
const ALIGN = 64;
/** wasm32 addresses 4 GiB at most. */
export const WASM32_MAX_PAGES = 65536;

export function alignUp(bytes: number): number {
  return Math.ceil(bytes / ALIGN) * ALIGN;
}

const BYTES: Record<DType, number> = { float32: 4, float64: 8, int32: 4, uint8: 1 };

/** Bytes copied between JavaScript arrays and WebAssembly memory by the kernels, and how often. */
export interface CopyCounts {
  inCalls: number;
  inBytes: number;
  outCalls: number;
  outBytes: number;
}

/** What the heap holds, for tests, the bench and the trainer's memory line. */
export interface HeapStats {
  /** Size of the WebAssembly memory. */
  memoryBytes: number;
  /** The highest address the allocator has handed out (minus its first usable byte). */
  highWaterBytes: number;
  /** Bytes in live blocks. */
  liveBytes: number;
  /** Step scopes begun so far. */
  steps: number;
}

function formatBytes(bytes: number): string {
  if (bytes >= 2 ** 30) return `${(bytes / 2 ** 30).toFixed(2)} GiB`;
  if (bytes >= 2 ** 20) return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
  return `${Math.ceil(bytes / 1024)} KiB`;
}

/**
 * The `wasm` backend's memory above the module's own data: an allocator of 64-byte aligned blocks
 * (free lists by exact size, since a training step asks for the same sizes every time; a freed block
 * at the top lowers the top), growth of the memory (at least 1.5× at a time, new pages touched at
 * once so page faults are paid at growth, not inside a timed kernel), and views of the whole memory,
 * made anew after each growth.
 *
 * Only the thread that owns the backend allocates and frees; worker threads get addresses. Kernels
 * wait for their workers before returning, so nothing is freed while a threaded kernel runs.
 */
export class WasmHeap {
  readonly #memory: WasmMemory;
  readonly #maxBytes: number;
  /** First usable byte (the module's own data ends below it). */
  readonly base: number;
  #top: number;
  #highWater: number;
  /** Size of every block handed out or free, by address. */
  readonly #sizes = new Map<number, number>();
  readonly #free = new Map<number, number[]>();
  /** Free blocks by their end address: finds the one below the top when the top one is freed. */
  readonly #freeByEnd = new Map<number, number>();
  #liveBytes = 0;
  #f32!: Float32Array;
  #f64!: Float64Array;
  #i32!: Int32Array;
  #u8!: Uint8Array;
  /** Buffers the memory had before it grew: a view of one is stale. */
  readonly #retired = new WeakSet<ArrayBufferLike>();
  readonly copies: CopyCounts = { inCalls: 0, inBytes: 0, outCalls: 0, outBytes: 0 };
  readonly storage: WasmStorage;
  /** Fill freed blocks with 0xff bytes (NaN as floats, -1 as integers): use after release shows. */
  readonly poison: boolean;

  constructor(
    memory: WasmMemory,
    heapBase: number,
    initialBytes: number,
    maxPages = WASM32_MAX_PAGES,
    poison = poisonFromEnvironment(),
  ) {
    this.poison = poison;
    this.#memory = memory;
    this.#maxBytes = maxPages * WASM_PAGE_BYTES;
    this.base = alignUp(heapBase);
    this.#top = this.base;
    this.#highWater = this.base;
    this.#refreshViews();
    this.#ensure(this.base + initialBytes, 'the initial heap', initialBytes);
    this.storage = new WasmStorage(this);
  }

  get buffer(): ArrayBufferLike {
    return this.#u8.buffer;
  }
  get f32(): Float32Array {
    return this.#f32;
  }
  get f64(): Float64Array {
    return this.#f64;
  }
  get i32(): Int32Array {
    return this.#i32;
  }
  get u8(): Uint8Array {
    return this.#u8;
  }

  /** Size of the WebAssembly memory in bytes. */
  get byteLength(): number {
    return this.#memory.buffer.byteLength;
  }

  stats(): HeapStats {
    return {
      memoryBytes: this.byteLength,
      highWaterBytes: this.#highWater - this.base,
      liveBytes: this.#liveBytes,
      steps: this.storage.steps,
    };
  }

  /**
   * The address of `bytes` bytes (64-byte aligned; not zeroed unless `zero`). `label` names what
   * is allocated in the one-line error when the memory cannot hold it.
   */
  alloc(bytes: number, label: string, zero = false): number {
    const size = alignUp(Math.max(bytes, 1));
    const reused = this.#free.get(size)?.pop();
    let at: number;
    if (reused !== undefined) {
      at = reused;
      this.#freeByEnd.delete(at + size);
      if (zero) this.#u8.fill(0, at, at + size);
    } else {
      at = this.#top;
      // One more line past the top: kernels may read (never write) 16 bytes past an operand's end.
      this.#ensure(at + size + ALIGN, label, size);
      this.#top = at + size;
      this.#highWater = Math.max(this.#highWater, this.#top);
      // Memory above the old top is zero only the first time: a lowered top leaves old values.
      if (zero) this.#u8.fill(0, at, at + size);
    }
    this.#sizes.set(at, size);
    this.#liveBytes += size;
    return at;
  }

  /** Returns the block at `at` to the allocator. */
  free(at: number): void {
    const size = this.#sizes.get(at);
    if (size === undefined) throw new Error(`wasm heap: no block at ${at} to free`);
    this.#liveBytes -= size;
    if (this.poison) this.#u8.fill(0xff, at, at + size);
    if (at + size === this.#top) {
      this.#sizes.delete(at);
      this.#top = at;
      // Blocks freed earlier that now end at the top come down with it.
      for (
        let below = this.#freeByEnd.get(this.#top);
        below !== undefined;
        below = this.#freeByEnd.get(this.#top)
      ) {
        const belowSize = this.#sizes.get(below)!;
        const list = this.#free.get(belowSize)!;
        list.splice(list.lastIndexOf(below), 1);
        this.#freeByEnd.delete(this.#top);
        this.#sizes.delete(below);
        this.#top = below;
      }
      return;
    }
    const list = this.#free.get(size);
    if (list) list.push(at);
    else this.#free.set(size, [at]);
    this.#freeByEnd.set(at + size, at);
  }

  /**
   * The address of `array`'s first element when it lives in this memory (a registered view, even one
   * detached by growth since, or a live view of the current buffer), else undefined.
   */
  addressOf(array: AnyTypedArray): number | undefined {
    const block = blockOf(array);
    if (block instanceof WasmBlock && block.heap === this) return block.address();
    if (array.buffer === this.#u8.buffer) return array.byteOffset;
    if (this.#retired.has(array.buffer)) {
      throw new Error(
        'wasm backend: a view of its memory taken before the memory grew reached a kernel; ' +
          'read tensor.data again after allocating',
      );
    }
    return undefined;
  }

  /** Copies `array`'s first `n` elements to `at` (counted as a copy into the memory). */
  copyIn(array: AnyTypedArray, n: number, at: number): void {
    const bytes = n * array.BYTES_PER_ELEMENT;
    this.#u8.set(new Uint8Array(array.buffer, array.byteOffset, bytes), at);
    this.copies.inCalls++;
    this.copies.inBytes += bytes;
  }

  /** Copies `n` elements from `at` into `array` (counted as a copy out of the memory). */
  copyOut(at: number, array: AnyTypedArray, n: number): void {
    const bytes = n * array.BYTES_PER_ELEMENT;
    new Uint8Array(array.buffer, array.byteOffset, bytes).set(this.#u8.subarray(at, at + bytes));
    this.copies.outCalls++;
    this.copies.outBytes += bytes;
  }

  #ensure(end: number, label: string, bytes: number): void {
    const had = this.#memory.buffer.byteLength;
    if (end <= had) return;
    if (end > this.#maxBytes) this.#outOfMemory(bytes, label);
    // Grow at least 1.5× so a slowly increasing size does not grow on every call.
    const want = Math.min(this.#maxBytes, Math.max(end, Math.floor(had * 1.5)));
    const old = this.#memory.buffer;
    try {
      this.#memory.grow(Math.ceil((want - had) / WASM_PAGE_BYTES));
    } catch {
      try {
        this.#memory.grow(Math.ceil((end - had) / WASM_PAGE_BYTES));
      } catch {
        this.#outOfMemory(bytes, label);
      }
    }
    this.#retired.add(old);
    this.#refreshViews();
    this.#u8.fill(0, had);
  }

  #outOfMemory(bytes: number, label: string): never {
    throw new RangeError(
      `wasm backend: out of memory allocating ${label} (${formatBytes(bytes)}): ` +
        `${formatBytes(this.#liveBytes)} in use, the limit is ${formatBytes(this.#maxBytes)}` +
        (this.#maxBytes === WASM32_MAX_PAGES * WASM_PAGE_BYTES ? ' (wasm32)' : '') +
        '; use a smaller batch',
    );
  }

  #refreshViews(): void {
    const buffer = this.#memory.buffer;
    this.#f32 = new Float32Array(buffer);
    this.#f64 = new Float64Array(buffer, 0, buffer.byteLength >> 3);
    this.#i32 = new Int32Array(buffer);
    this.#u8 = new Uint8Array(buffer);
  }
}

/** `DL_WASM_POISON=1` in the environment (Node; the tests set it): see `WasmHeap.poison`. */
function poisonFromEnvironment(): boolean {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  return env?.DL_WASM_POISON === '1';
}

function viewOf(heap: WasmHeap, dtype: DType, at: number, length: number): AnyTypedArray {
  const buffer = heap.buffer;
  switch (dtype) {
    case 'float32':
      return new Float32Array(buffer, at, length);
    case 'float64':
      return new Float64Array(buffer, at, length);
    case 'int32':
      return new Int32Array(buffer, at, length);
    case 'uint8':
      return new Uint8Array(buffer, at, length);
  }
}

/** One tensor's elements in the heap. */
export class WasmBlock implements ReleasableBlock {
  #view: AnyTypedArray;
  #at: number;
  #releasedAtStep: number | undefined;

  constructor(
    readonly heap: WasmHeap,
    readonly dtype: DType,
    readonly length: number,
    at: number,
  ) {
    this.#at = at;
    this.#view = viewOf(heap, dtype, at, length);
    registerView(this.#view, this);
  }

  /** The block's address (throws once released: its memory may hold another tensor now). */
  address(): number {
    if (this.#releasedAtStep !== undefined) this.#throwReleased();
    return this.#at;
  }

  view(): AnyTypedArray {
    if (this.#releasedAtStep !== undefined) this.#throwReleased();
    if (this.#view.buffer !== this.heap.buffer) {
      this.#view = viewOf(this.heap, this.dtype, this.#at, this.length);
      registerView(this.#view, this);
    }
    return this.#view;
  }

  /** The live view: kernels address the block where it is. */
  operand(): AnyTypedArray {
    return this.view();
  }

  /** Frees the block (once); `step` is the scope that released it, for the error message. */
  release(step: number | undefined): void {
    if (this.#releasedAtStep !== undefined) return;
    this.#releasedAtStep = step ?? -1;
    this.heap.free(this.#at);
  }

  #throwReleased(): never {
    throw releasedError(this.dtype, this.length, this.#releasedAtStep!);
  }
}

export class WasmStorage implements BackendStorage {
  readonly #heap: WasmHeap;
  /** Frees the memory of blocks made outside every step once nothing references them. */
  readonly #registry = new FinalizationRegistry<{ heap: WasmHeap; at: number }>((held) =>
    held.heap.free(held.at),
  );
  readonly #scopes = new StepScopes<WasmBlock>((block) =>
    this.#registry.register(block, { heap: this.#heap, at: block.address() }),
  );

  constructor(heap: WasmHeap) {
    this.#heap = heap;
  }

  get steps(): number {
    return this.#scopes.steps;
  }

  allocate<D extends DType>(dtype: D, length: number, label?: string, zero = true): TypedArrayOf<D> {
    const bytes = length * BYTES[dtype];
    const at = this.#heap.alloc(bytes, label ?? `a ${dtype} tensor of ${length} elements`, zero);
    const block = new WasmBlock(this.#heap, dtype, length, at);
    this.#scopes.adopt(block);
    return block.view() as TypedArrayOf<D>;
  }

  unscoped<T>(fn: () => T): T {
    return this.#scopes.unscoped(fn);
  }

  scope<T>(fn: () => T, survivors: (result: T) => Iterable<StorageBlock>): T {
    return this.#scopes.scope(fn, survivors);
  }
}
