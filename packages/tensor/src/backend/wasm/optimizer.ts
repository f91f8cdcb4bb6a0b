import type { FloatArray } from '../../dtype.js';
import { optimizerUpdateJs } from '../js/optimizer.js';
import type { Kernels, OptimizerUpdate } from '../kernels.js';
import type { WasmArena } from './arena.js';
import { arenaBlocks, asFloat32, getF32, putF32 } from './layout.js';
import type { KernelModule } from './module.js';

/** Kind codes of assembly/optimizer.ts. */
const SGD = 0;
const MOMENTUM = 1;
const NESTEROV = 2;
const ADAGRAD = 3;
const RMSPROP = 4;
const ADAM_BOOK = 5;
const ADAM_STANDARD = 6;

/** The kernel's arguments after `n, w, g`: kind, slots, and hyper-parameters (lr, p1, p2, p3, eps). */
interface Encoded {
  kind: number;
  slots: FloatArray[];
  hyper: [lr: number, p1: number, p2: number, p3: number, eps: number];
}

function encode(u: OptimizerUpdate): Encoded {
  switch (u.kind) {
    case 'sgd':
      return { kind: SGD, slots: [], hyper: [u.lr, 0, 0, 0, 0] };
    case 'momentum':
    case 'nesterov':
      return {
        kind: u.kind === 'momentum' ? MOMENTUM : NESTEROV,
        slots: [u.v],
        hyper: [u.lr, u.momentum, 0, 0, 0],
      };
    case 'adagrad':
      return { kind: ADAGRAD, slots: [u.h], hyper: [u.lr, 0, 0, 0, u.eps] };
    case 'rmsprop':
      return { kind: RMSPROP, slots: [u.h], hyper: [u.lr, u.decayRate, 0, 0, u.eps] };
    case 'adam':
      return {
        kind: u.variant === 'book' ? ADAM_BOOK : ADAM_STANDARD,
        slots: [u.m, u.v],
        hyper: [u.lr, u.beta1, u.beta2, u.t, u.eps],
      };
  }
}

/**
 * The optimizers' updates in WebAssembly for float32: the weights, gradient and slots are copied in,
 * updated there, and the weights and slots copied back. float64 (the book-parity tests) runs on the
 * js kernel, whose operation order matches NumPy's.
 */
export function createWasmOptimizer(module: KernelModule, arena: WasmArena): Kernels['optimizerUpdate'] {
  return (u: OptimizerUpdate, w: FloatArray, g: FloatArray) => {
    const n = w.length;
    const { kind, slots, hyper } = encode(u);
    const f32 = asFloat32([w, g, ...slots]);
    if (!f32 || n === 0) return optimizerUpdateJs(u, w, g);
    const [w32, g32, s1 = w32, s2 = w32] = f32;
    const [wAt, gAt, s1At, s2At] = arenaBlocks(
      arena,
      n * 4,
      n * 4,
      slots.length > 0 ? n * 4 : 0,
      slots.length > 1 ? n * 4 : 0,
    );
    putF32(arena, wAt, w32);
    putF32(arena, gAt, g32, n);
    if (slots.length > 0) putF32(arena, s1At, s1, n);
    if (slots.length > 1) putF32(arena, s2At, s2, n);
    module.optimizerUpdateF32(kind, n, wAt, gAt, s1At, s2At, ...hyper);
    getF32(arena, wAt, w32);
    if (slots.length > 0) getF32(arena, s1At, s1.subarray(0, n));
    if (slots.length > 1) getF32(arena, s2At, s2.subarray(0, n));
  };
}
