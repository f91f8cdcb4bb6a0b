import { softmaxCrossEntropyBackwardJs, softmaxJs } from '../js/softmax.js';
import type { Kernels } from '../kernels.js';
import type { WasmArena } from './arena.js';
import { arenaBlocks, asFloat32, getF32, putF32 } from './layout.js';
import type { KernelModule } from './module.js';

/** Softmax and SoftmaxWithLoss's backward in WebAssembly for float32; float64 runs on the js kernels. */
export function createWasmSoftmax(
  module: KernelModule,
  arena: WasmArena,
): Pick<Kernels, 'softmax' | 'softmaxCrossEntropyBackward'> {
  return {
    softmax(x, rows, classes, out) {
      const n = rows * classes;
      const f32 = asFloat32([x, out]);
      if (!f32 || n === 0) return softmaxJs(x, rows, classes, out);
      const [xAt, outAt] = arenaBlocks(arena, n * 4, n * 4);
      putF32(arena, xAt, f32[0], n);
      module.softmaxF32(xAt, rows, classes, outAt);
      getF32(arena, outAt, f32[1].length === n ? f32[1] : f32[1].subarray(0, n));
    },
    softmaxCrossEntropyBackward(y, labels, rows, classes, dx) {
      const n = rows * classes;
      const f32 = asFloat32([y, dx]);
      if (!f32 || n === 0) return softmaxCrossEntropyBackwardJs(y, labels, rows, classes, dx);
      const [yAt, labelsAt, dxAt] = arenaBlocks(arena, n * 4, rows * 4, n * 4);
      putF32(arena, yAt, f32[0], n);
      arena.i32.set(labels.subarray(0, rows), labelsAt >> 2);
      module.softmaxCrossEntropyBackwardF32(yAt, labelsAt, rows, classes, dxAt);
      getF32(arena, dxAt, f32[1].length === n ? f32[1] : f32[1].subarray(0, n));
    },
  };
}
