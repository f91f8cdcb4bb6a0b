import type { FloatArray } from '../../dtype.js';
import type { FusedKernels } from '../kernels.js';
import type { WasmHeap } from './heap.js';
import { withIo } from './io.js';
import { asFloat32 } from './layout.js';
import type { KernelModule } from './module.js';

/**
 * Dropout's mask applied in WebAssembly for float32 (branch-free). Other dtypes are declined: the
 * layer then runs its reference (`@dl/layers`' `dropout.ts`).
 */
export function createWasmDropout(
  module: KernelModule,
  heap: WasmHeap,
): NonNullable<FusedKernels['dropout']> {
  return (x: FloatArray, mask: Uint8Array | undefined, scale: number, out: FloatArray) => {
    const n = x.length;
    const f32 = asFloat32([x, out]);
    if (!f32 || n === 0) return false;
    withIo(heap, (io) => {
      const [xAt, maskAt, outAt] = io.bind(
        { in: f32[0] },
        { in: mask ?? f32[0], n: mask ? n : 0 },
        { out: f32[1], n },
      );
      // Address 0 is below the heap: it stands for "no mask".
      module.dropoutF32(xAt, mask ? maskAt : 0, scale, outAt, n);
    });
    return true;
  };
}
