import { dtypeOfArray, type AnyTypedArray, type DType, type TypedArrayOf } from './dtype.js';

/**
 * Large typed arrays reused from one training step to the next. A step allocates the same arrays
 * every time (each layer's output and input gradient), and without reuse each one is fresh memory
 * that the allocator may have to map anew, page fault by page fault: for a large array that can cost
 * as much as the step's arithmetic (see docs/benchmarks.md). Reusing the previous step's arrays skips
 * the allocator and the page faults.
 *
 * A pool is active inside `withBufferPool`; `allocate` then takes arrays of at least `POOLED_LENGTH`
 * elements from it (zero-filled, as a fresh one would be) and records them as lent. `recycle()` hands
 * everything lent since the last recycle back for reuse: call it only when none of those arrays is
 * used any more (`LayerNetwork.gradient` calls it at the start of a step: the previous step's
 * activations and gradients are dead by then). Arrays not taken again in a step are dropped at the
 * next recycle, so the pool never holds more than one step's worth.
 */
export class BufferPool {
  private free = new Map<string, AnyTypedArray[]>();
  private lent: AnyTypedArray[] = [];

  /** An array from the free list (zero-filled), or a new one; either way recorded as lent. */
  take<D extends DType>(
    dtype: D,
    length: number,
    create: () => TypedArrayOf<D>,
    zero = true,
  ): TypedArrayOf<D> {
    const list = this.free.get(key(dtype, length));
    const reused = list?.pop() as TypedArrayOf<D> | undefined;
    const array = reused ? (zero ? (reused.fill(0) as TypedArrayOf<D>) : reused) : create();
    this.lent.push(array);
    return array;
  }

  /** Everything lent since the last call becomes free for reuse; what was free and unused is dropped. */
  recycle(): void {
    this.free = new Map();
    for (const array of this.lent) {
      const k = key(dtypeOfArray(array)!, array.length);
      const list = this.free.get(k);
      if (list) list.push(array);
      else this.free.set(k, [array]);
    }
    this.lent = [];
  }

  /** Bytes held: lent and free. */
  get bytes(): number {
    let total = 0;
    for (const a of this.lent) total += a.byteLength;
    for (const list of this.free.values()) for (const a of list) total += a.byteLength;
    return total;
  }
}

/** Arrays shorter than this are left to the engine (cheap to allocate; not worth a lookup). */
export const POOLED_LENGTH = 4096;

let active: BufferPool | undefined;

/** Runs `fn` with `pool` serving `allocate`'s large arrays (nested calls restore the outer pool). */
export function withBufferPool<T>(pool: BufferPool, fn: () => T): T {
  const previous = active;
  active = pool;
  try {
    return fn();
  } finally {
    active = previous;
  }
}

/** The pool `allocate` uses now, if any. */
export function activeBufferPool(): BufferPool | undefined {
  return active;
}

function key(dtype: DType, length: number): string {
  return `${dtype}:${length}`;
}
