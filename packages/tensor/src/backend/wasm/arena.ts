import { WASM_PAGE_BYTES, type WasmMemory } from './api.js';

/** Offsets in the arena are multiples of 64 bytes: a cache line, and aligned for v128 loads. */
const ALIGN = 64;

export function alignUp(bytes: number): number {
  return Math.ceil(bytes / ALIGN) * ALIGN;
}

/**
 * The part of WebAssembly memory JavaScript lays out: kernels copy their inputs in, run, and copy
 * their outputs out. It is reused by every call (a fresh array per op costs 8× the copy), grows when
 * a call needs more, and never shrinks. New pages are touched at once so page faults are paid at
 * init or growth, not inside a timed kernel.
 */
export class WasmArena {
  readonly #memory: WasmMemory;
  /** First usable byte (the module's own data ends below it). */
  readonly base: number;
  #f32: Float32Array;
  #i32: Int32Array;
  #u8: Uint8Array;

  constructor(memory: WasmMemory, heapBase: number, initialBytes: number) {
    this.#memory = memory;
    this.base = alignUp(heapBase);
    this.#f32 = new Float32Array(memory.buffer);
    this.#i32 = new Int32Array(memory.buffer);
    this.#u8 = new Uint8Array(memory.buffer);
    this.reserve(initialBytes);
  }

  /** The whole memory as float32 (re-created after growth, which detaches the old buffer). */
  get f32(): Float32Array {
    return this.#f32;
  }

  /** The whole memory as int32. */
  get i32(): Int32Array {
    return this.#i32;
  }

  /** The whole memory as bytes. */
  get u8(): Uint8Array {
    return this.#u8;
  }

  /** Size of the WebAssembly memory in bytes. */
  get byteLength(): number {
    return this.#memory.buffer.byteLength;
  }

  /** Makes bytes [base, base + bytes) usable. */
  reserve(bytes: number): void {
    const end = this.base + bytes;
    const had = this.#memory.buffer.byteLength;
    if (end <= had) return;
    // Grow at least 1.5× so a slowly increasing size does not grow on every call.
    const want = Math.max(end, Math.floor(had * 1.5));
    this.#memory.grow(Math.ceil((want - had) / WASM_PAGE_BYTES));
    this.#f32 = new Float32Array(this.#memory.buffer);
    this.#i32 = new Int32Array(this.#memory.buffer);
    this.#u8 = new Uint8Array(this.#memory.buffer);
    this.#f32.fill(0, had >> 2);
  }
}
