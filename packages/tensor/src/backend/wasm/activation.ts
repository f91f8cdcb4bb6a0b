import type { FloatArray } from '../../dtype.js';
import { activationBackwardJs, activationJs } from '../js/activation.js';
import type { ActivationOp, Kernels } from '../kernels.js';
import type { WasmHeap } from './heap.js';
import { withIo } from './io.js';
import { asFloat32 } from './layout.js';
import type { KernelModule } from './module.js';
import { ACTIVATION_CODES } from './op-codes.js';

/**
 * ReLU and sigmoid, forward and backward, in WebAssembly for float32; float64 runs on the js kernels. Memory-bound, so one thread: a worker's dispatch
 * would cost more than it saves.
 */
export function createWasmActivation(
  module: KernelModule,
  heap: WasmHeap,
): Pick<Kernels, 'activation' | 'activationBackward'> {
  return {
    activation: (op: ActivationOp, x: FloatArray, out: FloatArray) => {
      const f32 = asFloat32([x, out]);
      if (!f32) return activationJs(op, x, out);
      const n = x.length;
      withIo(heap, (io) => {
        const [xAt, outAt] = io.bind({ in: f32[0] }, { out: f32[1], n });
        module.activationF32(ACTIVATION_CODES[op], xAt, outAt, n);
      });
    },
    activationBackward: (op: ActivationOp, saved: FloatArray, dout: FloatArray, dx: FloatArray) => {
      const f32 = asFloat32([saved, dout, dx]);
      if (!f32) return activationBackwardJs(op, saved, dout, dx);
      const n = dout.length;
      withIo(heap, (io) => {
        const [savedAt, doutAt, dxAt] = io.bind({ in: f32[0], n }, { in: f32[1] }, { out: f32[2], n });
        module.activationBackwardF32(ACTIVATION_CODES[op], savedAt, doutAt, dxAt, n);
      });
    },
  };
}
