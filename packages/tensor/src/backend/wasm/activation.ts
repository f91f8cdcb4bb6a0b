import type { FloatArray } from '../../dtype.js';
import { activationBackwardJs, activationJs } from '../js/activation.js';
import type { ActivationOp, Kernels } from '../kernels.js';
import type { WasmHeap } from './heap.js';
import { withIo } from './io.js';
import { asFloat32 } from './layout.js';
import { runParts } from './gemm.js';
import type { KernelModule } from './module.js';
import { splitRange, type Part } from './split.js';
import type { WasmThreadPool } from './threads.js';
import { ACTIVATION_CODES } from './op-codes.js';

/**
 * Elements an activation needs before it is shared among threads: ~0.1 ms of work at ~0.4 ns an
 * element (DeepConvNet's first ReLU, 1.25 M elements, took 0.55 ms on one thread); below it a
 * worker's wake-up would cost more than it saves.
 */
const MIN_PARALLEL_ELEMENTS = 1 << 18;

/**
 * ReLU and sigmoid, forward and backward, in WebAssembly for float32; float64 runs on the js
 * kernels. Large arrays are cut into aligned ranges, one per thread.
 */
export function createWasmActivation(
  module: KernelModule,
  heap: WasmHeap,
  pool?: WasmThreadPool,
): Pick<Kernels, 'activation' | 'activationBackward'> {
  const threads = (pool?.size ?? 0) + 1;
  const ranges = (n: number): Part[] =>
    threads > 1 && n >= MIN_PARALLEL_ELEMENTS ? splitRange(n, threads, 4) : [{ start: 0, size: n }];
  return {
    activation: (op: ActivationOp, x: FloatArray, out: FloatArray) => {
      const f32 = asFloat32([x, out]);
      if (!f32) return activationJs(op, x, out);
      const n = x.length;
      withIo(heap, (io) => {
        const [xAt, outAt] = io.bind({ in: f32[0] }, { out: f32[1], n });
        const parts = ranges(n);
        const call = (t: number): Parameters<KernelModule['activationF32']> => {
          const { start, size } = parts[t]!;
          return [ACTIVATION_CODES[op], xAt + start * 4, outAt + start * 4, size];
        };
        runParts(pool, parts.length, 'activationF32', call, (t) => module.activationF32(...call(t)));
      });
    },
    activationBackward: (op: ActivationOp, saved: FloatArray, dout: FloatArray, dx: FloatArray) => {
      const f32 = asFloat32([saved, dout, dx]);
      if (!f32) return activationBackwardJs(op, saved, dout, dx);
      const n = dout.length;
      withIo(heap, (io) => {
        const [savedAt, doutAt, dxAt] = io.bind({ in: f32[0], n }, { in: f32[1] }, { out: f32[2], n });
        const parts = ranges(n);
        const call = (t: number): Parameters<KernelModule['activationBackwardF32']> => {
          const { start, size } = parts[t]!;
          const at = start * 4;
          return [ACTIVATION_CODES[op], savedAt + at, doutAt + at, dxAt + at, size];
        };
        runParts(pool, parts.length, 'activationBackwardF32', call, (t) =>
          module.activationBackwardF32(...call(t)),
        );
      });
    },
  };
}
