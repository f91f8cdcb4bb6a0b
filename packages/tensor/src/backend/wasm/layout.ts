import type { FloatArray } from '../../dtype.js';

/** The arrays themselves when all are float32 (the wasm kernels' case), else undefined. */
export function asFloat32<T extends readonly FloatArray[]>(
  arrays: readonly [...T],
): { [K in keyof T]: Float32Array } | undefined {
  return arrays.every((a) => a instanceof Float32Array)
    ? (arrays as unknown as { [K in keyof T]: Float32Array })
    : undefined;
}
