import type { FloatArray } from '../../dtype.js';
import { alignUp, type WasmArena } from './arena.js';

/**
 * Lays out consecutive arena blocks of the given byte sizes, each 64-byte aligned (so every block is
 * padded to a whole number of v128s), reserves them and returns their byte offsets.
 */
export function arenaBlocks<T extends number[]>(arena: WasmArena, ...bytes: T): { [K in keyof T]: number } {
  const at: number[] = [];
  let end = arena.base;
  for (const b of bytes) {
    at.push(end);
    end = alignUp(end + b);
  }
  arena.reserve(end - arena.base);
  return at as { [K in keyof T]: number };
}

/** The arrays themselves when all are float32 (the wasm kernels' case), else undefined. */
export function asFloat32<T extends readonly FloatArray[]>(
  arrays: readonly [...T],
): { [K in keyof T]: Float32Array } | undefined {
  return arrays.every((a) => a instanceof Float32Array)
    ? (arrays as unknown as { [K in keyof T]: Float32Array })
    : undefined;
}

/** Copies the first `n` floats of `a` (all of it by default) to byte offset `at`. */
export function putF32(arena: WasmArena, at: number, a: Float32Array, n = a.length): void {
  arena.f32.set(n === a.length ? a : a.subarray(0, n), at >> 2);
}

/** Copies `out.length` floats from byte offset `at` into `out`. */
export function getF32(arena: WasmArena, at: number, out: Float32Array): void {
  out.set(arena.f32.subarray(at >> 2, (at >> 2) + out.length));
}
