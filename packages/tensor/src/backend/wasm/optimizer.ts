import type { FloatArray } from '../../dtype.js';
import type { FusedKernels, OptimizerUpdate } from '../kernels.js';
import type { WasmHeap } from './heap.js';
import { withIo } from './io.js';
import { asFloat32 } from './layout.js';
import type { KernelModule } from './module.js';
import { OPTIMIZER_CODES } from './op-codes.js';

/** The kernel's arguments after `n, w, g`: kind, slots, and hyper-parameters (lr, p1, p2, p3, eps). */
interface Encoded {
  kind: number;
  slots: FloatArray[];
  hyper: [lr: number, p1: number, p2: number, p3: number, eps: number];
}

function encode(u: OptimizerUpdate): Encoded {
  switch (u.kind) {
    case 'sgd':
      return { kind: OPTIMIZER_CODES.sgd, slots: [], hyper: [u.lr, 0, 0, 0, 0] };
    case 'momentum':
    case 'nesterov':
      return { kind: OPTIMIZER_CODES[u.kind], slots: [u.v], hyper: [u.lr, u.momentum, 0, 0, 0] };
    case 'adagrad':
      return { kind: OPTIMIZER_CODES.adagrad, slots: [u.h], hyper: [u.lr, 0, 0, 0, u.eps] };
    case 'rmsprop':
      return { kind: OPTIMIZER_CODES.rmsprop, slots: [u.h], hyper: [u.lr, u.decayRate, 0, 0, u.eps] };
    case 'adam':
      return {
        kind: OPTIMIZER_CODES[`adam-${u.variant}`],
        slots: [u.m, u.v],
        hyper: [u.lr, u.beta1, u.beta2, u.t, u.eps],
      };
  }
}

/**
 * The optimizers' updates fused in WebAssembly for float32, in place: where the weights,
 * gradient and slots live in the heap (tensors of this backend), nothing is copied. Other dtypes (float64: the book-parity
 * tests) are declined: the optimizer then runs its own reference update (`@dl/optim`'s `adam.ts`, ...).
 */
export function createWasmOptimizer(
  module: KernelModule,
  heap: WasmHeap,
): NonNullable<FusedKernels['optimizerUpdate']> {
  return (u: OptimizerUpdate, w: FloatArray, g: FloatArray) => {
    const n = w.length;
    const { kind, slots, hyper } = encode(u);
    const f32 = asFloat32([w, g, ...slots]);
    if (!f32 || n === 0) return false;
    const [w32, g32, s1 = w32, s2 = w32] = f32;
    withIo(heap, (io) => {
      const [wAt, gAt, s1At, s2At] = io.bind(
        { inout: w32 },
        { in: g32, n },
        { inout: s1, n: slots.length > 0 ? n : 0 },
        { inout: s2, n: slots.length > 1 ? n : 0 },
      );
      module.optimizerUpdateF32(kind, n, wAt, gAt, s1At, s2At, ...hyper);
    });
    return true;
  };
}
