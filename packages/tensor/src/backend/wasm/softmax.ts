import { softmaxJs } from '../js/softmax.js';
import type { FusedKernels, Kernels } from '../kernels.js';
import type { WasmArena } from './arena.js';
import { arenaBlocks, asFloat32, getF32, putF32 } from './layout.js';
import type { KernelModule } from './module.js';

/** Softmax in WebAssembly for float32; float64 runs on the js kernel. */
export function createWasmSoftmax(module: KernelModule, arena: WasmArena): Kernels['softmax'] {
  return (x, rows, classes, out) => {
    const n = rows * classes;
    const f32 = asFloat32([x, out]);
    if (!f32 || n === 0) return softmaxJs(x, rows, classes, out);
    const [xAt, outAt] = arenaBlocks(arena, n * 4, n * 4);
    putF32(arena, xAt, f32[0], n);
    module.softmaxF32(xAt, rows, classes, outAt);
    getF32(arena, outAt, f32[1].length === n ? f32[1] : f32[1].subarray(0, n));
  };
}

/**
 * SoftmaxWithLoss's backward fused in WebAssembly for float32. Other dtypes are declined: the layer
 * then runs its reference (`@dl/layers`' `softmax-with-loss.ts`).
 */
export function createWasmSoftmaxCrossEntropyBackward(
  module: KernelModule,
  arena: WasmArena,
): NonNullable<FusedKernels['softmaxCrossEntropyBackward']> {
  return (y, labels, rows, classes, dx) => {
    const n = rows * classes;
    const f32 = asFloat32([y, dx]);
    if (!f32 || n === 0) return false;
    const [yAt, labelsAt, dxAt] = arenaBlocks(arena, n * 4, rows * 4, n * 4);
    putF32(arena, yAt, f32[0], n);
    arena.i32.set(labels.subarray(0, rows), labelsAt >> 2);
    module.softmaxCrossEntropyBackwardF32(yAt, labelsAt, rows, classes, dxAt);
    getF32(arena, dxAt, f32[1].length === n ? f32[1] : f32[1].subarray(0, n));
    return true;
  };
}
