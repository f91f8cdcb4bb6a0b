import type { FusedKernels } from '../kernels.js';
import type { WasmHeap } from './heap.js';
import { withIo } from './io.js';
import type { KernelModule } from './module.js';

/**
 * Bytes to float32 `byte / scale` in WebAssembly, sixteen at a time (images kept as bytes, scaled
 * a batch at a time). Declined for a scale float32 cannot hold exactly: the division in float32
 * would then differ from the reference's, which divides by the exact scale.
 */
export function createWasmScaleBytes(
  module: KernelModule,
  heap: WasmHeap,
): NonNullable<FusedKernels['scaleBytes']> {
  return (bytes: Uint8Array, scale: number, out: Float32Array) => {
    const n = bytes.length;
    if (out.length !== n || Math.fround(scale) !== scale || !(scale > 0)) return false;
    if (n === 0) return true;
    withIo(heap, (io) => {
      const [src, dst] = io.bind({ in: bytes }, { out, n });
      module.scaleBytesF32(src, scale, dst, n);
    });
    return true;
  };
}
