import type { AnyTypedArray } from '../../dtype.js';
import type { WasmHeap } from './heap.js';

/** An operand of a kernel call: read (`in`), written (`out`), or both (`inout`); `n` elements of it. */
export type Operand =
  | { in: AnyTypedArray; n?: number }
  | { out: AnyTypedArray; n?: number }
  | { inout: AnyTypedArray; n?: number };

/**
 * The addresses of one kernel call's operands. An operand that lives in the heap (a tensor on this
 * backend) is used where it is: nothing is copied. Any other array (a tensor of the `js` backend, a
 * batch built in JavaScript) gets a temporary block: inputs are copied in (counted in
 * `heap.copies`), outputs copied back by `done()`. Scratch space for the kernel itself comes from
 * the same allocator and goes back with `done()`.
 *
 * Every operand's address is taken before any temporary block is allocated: a growth of
 * the memory detaches views of it, and only registered views keep their address past that.
 */
export class KernelIo {
  readonly #heap: WasmHeap;
  readonly #temps: number[] = [];
  readonly #copyBack: { at: number; array: AnyTypedArray; n: number }[] = [];

  constructor(heap: WasmHeap) {
    this.#heap = heap;
  }

  /** The address of each operand, in order (temporary blocks for those not in the heap). */
  bind<T extends Operand[]>(...operands: T): { [K in keyof T]: number } {
    const arrays = operands.map(arrayOf);
    const own = arrays.map((a) => this.#heap.addressOf(a));
    return operands.map((op, i) => {
      const array = arrays[i]!;
      const n = op.n ?? array.length;
      const at = own[i];
      if (at !== undefined) return at;
      if (n === 0) return 0;
      const temp = this.scratch(n * array.BYTES_PER_ELEMENT);
      if (!('out' in op)) this.#heap.copyIn(array, n, temp);
      if (!('in' in op)) this.#copyBack.push({ at: temp, array, n });
      return temp;
    }) as { [K in keyof T]: number };
  }

  /** `bytes` of scratch memory (not zeroed), freed by `done()`. */
  scratch(bytes: number): number {
    const at = this.#heap.alloc(bytes + 16, 'kernel scratch');
    this.#temps.push(at);
    return at;
  }

  /** Copies outputs that live outside the heap back, and frees the temporary blocks. */
  done(): void {
    for (const { at, array, n } of this.#copyBack) this.#heap.copyOut(at, array, n);
    for (let i = this.#temps.length - 1; i >= 0; i--) this.#heap.free(this.#temps[i]!);
  }

  /** Frees the temporary blocks without copying (the kernel failed). */
  abandon(): void {
    for (let i = this.#temps.length - 1; i >= 0; i--) this.#heap.free(this.#temps[i]!);
  }
}

function arrayOf(op: Operand): AnyTypedArray {
  return 'in' in op ? op.in : 'out' in op ? op.out : op.inout;
}

/**
 * Runs one kernel call with a fresh `KernelIo`: `body` binds operands and calls the module; outputs
 * outside the heap are copied back after it, and temporaries freed even when it throws.
 */
export function withIo<T>(heap: WasmHeap, body: (io: KernelIo) => T): T {
  const io = new KernelIo(heap);
  let result: T;
  try {
    result = body(io);
  } catch (error) {
    io.abandon();
    throw error;
  }
  io.done();
  return result;
}
