import type { FloatArray } from '../../dtype.js';
import type { FusedKernels } from '../kernels.js';
import type { WasmArena } from './arena.js';
import { arenaBlocks, asFloat32, getF32, putF32 } from './layout.js';
import type { KernelModule } from './module.js';

/**
 * Dropout's mask applied in WebAssembly for float32 (branch-free). Other dtypes are declined: the
 * layer then runs its reference (`@dl/layers`' `dropout.ts`).
 */
export function createWasmDropout(
  module: KernelModule,
  arena: WasmArena,
): NonNullable<FusedKernels['dropout']> {
  return (x: FloatArray, mask: Uint8Array | undefined, scale: number, out: FloatArray) => {
    const n = x.length;
    const f32 = asFloat32([x, out]);
    if (!f32 || n === 0) return false;
    const [xAt, maskAt, outAt] = arenaBlocks(arena, n * 4, mask ? n : 0, n * 4);
    putF32(arena, xAt, f32[0]);
    if (mask) arena.u8.set(mask.subarray(0, n), maskAt);
    // Offset 0 is below the arena: it stands for "no mask".
    module.dropoutF32(xAt, mask ? maskAt : 0, scale, outAt, n);
    getF32(arena, outAt, f32[1].length === n ? f32[1] : f32[1].subarray(0, n));
    return true;
  };
}
