import type { FloatArray } from '../../dtype.js';
import { activationBackwardJs, activationJs } from '../js/activation.js';
import type { ActivationOp, Kernels } from '../kernels.js';
import type { WasmArena } from './arena.js';
import { arenaBlocks, asFloat32, getF32, putF32 } from './layout.js';
import type { KernelModule } from './module.js';
import { ACTIVATION_CODES } from './op-codes.js';

/**
 * ReLU and sigmoid, forward and backward, in WebAssembly for float32 (inputs copied in, the result
 * copied back); float64 runs on the js kernels. Memory-bound, so one thread: a worker's dispatch
 * would cost more than it saves.
 */
export function createWasmActivation(
  module: KernelModule,
  arena: WasmArena,
): Pick<Kernels, 'activation' | 'activationBackward'> {
  return {
    activation: (op: ActivationOp, x: FloatArray, out: FloatArray) => {
      const f32 = asFloat32([x, out]);
      if (!f32) return activationJs(op, x, out);
      const n = x.length;
      const [xAt, outAt] = arenaBlocks(arena, n * 4, n * 4);
      putF32(arena, xAt, f32[0]);
      module.activationF32(ACTIVATION_CODES[op], xAt, outAt, n);
      getF32(arena, outAt, f32[1]);
    },
    activationBackward: (op: ActivationOp, saved: FloatArray, dout: FloatArray, dx: FloatArray) => {
      const f32 = asFloat32([saved, dout, dx]);
      if (!f32) return activationBackwardJs(op, saved, dout, dx);
      const n = dout.length;
      const [savedAt, doutAt, dxAt] = arenaBlocks(arena, n * 4, n * 4, n * 4);
      putF32(arena, savedAt, f32[0], n);
      putF32(arena, doutAt, f32[1]);
      module.activationBackwardF32(ACTIVATION_CODES[op], savedAt, doutAt, dxAt, n);
      getF32(arena, dxAt, f32[2]);
    },
  };
}
