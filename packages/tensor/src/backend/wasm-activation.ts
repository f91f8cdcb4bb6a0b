import type { FloatArray } from '../dtype.js';
import { activationBackwardJs, activationJs } from './js-activation.js';
import type { ActivationOp, Kernels } from './kernels.js';
import { alignUp, type WasmArena } from './wasm-arena.js';
import type { KernelModule } from './wasm-module.js';

/** Op codes of assembly/activation.ts. */
const CODE: Record<ActivationOp, number> = { relu: 0, sigmoid: 1 };

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
      if (!(x instanceof Float32Array) || !(out instanceof Float32Array)) {
        activationJs(op, x, out);
        return;
      }
      const n = x.length;
      const xAt = arena.base;
      const outAt = alignUp(xAt + n * 4);
      arena.reserve(outAt + n * 4 - arena.base);
      const f32 = arena.f32;
      f32.set(x, xAt >> 2);
      module.activationF32(CODE[op], xAt, outAt, n);
      out.set(f32.subarray(outAt >> 2, (outAt >> 2) + n));
    },
    activationBackward: (op: ActivationOp, saved: FloatArray, dout: FloatArray, dx: FloatArray) => {
      if (
        !(saved instanceof Float32Array) ||
        !(dout instanceof Float32Array) ||
        !(dx instanceof Float32Array)
      ) {
        activationBackwardJs(op, saved, dout, dx);
        return;
      }
      const n = dout.length;
      const savedAt = arena.base;
      const doutAt = alignUp(savedAt + n * 4);
      const dxAt = alignUp(doutAt + n * 4);
      arena.reserve(dxAt + n * 4 - arena.base);
      const f32 = arena.f32;
      f32.set(saved.subarray(0, n), savedAt >> 2);
      f32.set(dout, doutAt >> 2);
      module.activationBackwardF32(CODE[op], savedAt, doutAt, dxAt, n);
      dx.set(f32.subarray(dxAt >> 2, (dxAt >> 2) + n));
    },
  };
}
