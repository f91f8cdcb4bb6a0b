import { softmaxJs } from '../js/softmax.js';
import type { FusedKernels, Kernels } from '../kernels.js';
import type { WasmHeap } from './heap.js';
import { withIo } from './io.js';
import { asFloat32 } from './layout.js';
import type { KernelModule } from './module.js';

/** Softmax in WebAssembly for float32; float64 runs on the js kernel. */
export function createWasmSoftmax(module: KernelModule, heap: WasmHeap): Kernels['softmax'] {
  return (x, rows, classes, out) => {
    const n = rows * classes;
    const f32 = asFloat32([x, out]);
    if (!f32 || n === 0) return softmaxJs(x, rows, classes, out);
    withIo(heap, (io) => {
      const [xAt, outAt] = io.bind({ in: f32[0], n }, { out: f32[1], n });
      module.softmaxF32(xAt, rows, classes, outAt);
    });
  };
}

/**
 * SoftmaxWithLoss's backward fused in WebAssembly for float32. Other dtypes are declined: the layer
 * then runs its reference (`@dl/layers`' `softmax-with-loss.ts`).
 */
export function createWasmSoftmaxCrossEntropyBackward(
  module: KernelModule,
  heap: WasmHeap,
): NonNullable<FusedKernels['softmaxCrossEntropyBackward']> {
  return (y, labels, rows, classes, dx) => {
    const n = rows * classes;
    const f32 = asFloat32([y, dx]);
    if (!f32 || n === 0) return false;
    withIo(heap, (io) => {
      const [yAt, labelsAt, dxAt] = io.bind({ in: f32[0], n }, { in: labels, n: rows }, { out: f32[1], n });
      module.softmaxCrossEntropyBackwardF32(yAt, labelsAt, rows, classes, dxAt);
    });
    return true;
  };
}
