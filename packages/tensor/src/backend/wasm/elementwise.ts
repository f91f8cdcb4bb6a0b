import type { AnyTypedArray } from '../../dtype.js';
import { jsKernels } from '../js/js.js';
import type { BinaryArgs, UnaryOp } from '../kernels.js';
import type { WasmHeap } from './heap.js';
import { KernelIo, withIo } from './io.js';
import { collapseBroadcast } from './broadcast.js';
import type { KernelModule } from './module.js';
import { ARITHMETIC_CODES, COMPARISON_CODES, UNARY_CODES } from './op-codes.js';

/**
 * float32 unary ops in WebAssembly (x and out may be one array).
 * Other dtypes, and ops without a code (log, tanh), run on the js kernels.
 */
export function createWasmUnary(
  module: KernelModule,
  heap: WasmHeap,
): (op: UnaryOp, x: AnyTypedArray, out: AnyTypedArray) => void {
  return (op, x, out) => {
    const code = UNARY_CODES[op];
    if (code === undefined || !(x instanceof Float32Array) || !(out instanceof Float32Array)) {
      jsKernels.unary(op, x, out);
      return;
    }
    withIo(heap, (io) => {
      const [xAt, outAt] = io.bind({ in: x }, { out, n: x.length });
      module.unaryF32(code, xAt, outAt, x.length);
    });
  };
}

/**
 * float32 binary ops in WebAssembly, any broadcast: arithmetic writes float32, comparisons uint8.
 * Other dtypes and pow run on the js kernels.
 */
export function createWasmBinary(module: KernelModule, heap: WasmHeap): (args: BinaryArgs) => void {
  return (args) => {
    const { op, a, b, out, outShape } = args;
    const arithmetic = ARITHMETIC_CODES[op];
    const comparison = COMPARISON_CODES[op];
    const supported =
      a instanceof Float32Array &&
      b instanceof Float32Array &&
      ((arithmetic !== undefined && out instanceof Float32Array) ||
        (comparison !== undefined && out instanceof Uint8Array));
    const view = collapseBroadcast(outShape, args.aStrides, args.bStrides);
    const rank = view.shape.length;
    const innerOk = rank === 0 || (view.aStrides[rank - 1]! <= 1 && view.bStrides[rank - 1]! <= 1);
    if (!supported || !innerOk) {
      jsKernels.binary(args);
      return;
    }
    const total = out.length;
    if (total === 0) return;
    const bytesPerOut = comparison !== undefined ? 1 : 4;
    const io = new KernelIo(heap);
    const [aAt, bAt, outAt] = io.bind({ in: a }, { in: b }, { out, n: total });
    const kernel = comparison !== undefined ? module.compareF32 : module.binaryF32;
    const code = comparison ?? arithmetic!;
    // The last two axes go to one call; any axes before them are walked here, one call per block.
    const inner = rank >= 1 ? view.shape[rank - 1]! : 1;
    const outer = rank >= 2 ? view.shape[rank - 2]! : 1;
    const ia = rank >= 1 ? view.aStrides[rank - 1]! : 0;
    const ib = rank >= 1 ? view.bStrides[rank - 1]! : 0;
    const sa = rank >= 2 ? view.aStrides[rank - 2]! : 0;
    const sb = rank >= 2 ? view.bStrides[rank - 2]! : 0;
    const block = outer * inner;
    const lead = view.shape.slice(0, Math.max(0, rank - 2));
    const index = new Array<number>(lead.length).fill(0);
    let offA = 0;
    let offB = 0;
    // (A kernel call only throws on a bug; the temporaries of that call are then lost.)
    for (let o = 0; o < total; o += block) {
      kernel(code, outer, inner, aAt + offA * 4, sa, ia, bAt + offB * 4, sb, ib, outAt + o * bytesPerOut);
      for (let axis = lead.length - 1; axis >= 0; axis--) {
        index[axis]!++;
        offA += view.aStrides[axis]!;
        offB += view.bStrides[axis]!;
        if (index[axis]! < lead[axis]!) break;
        offA -= view.aStrides[axis]! * lead[axis]!;
        offB -= view.bStrides[axis]! * lead[axis]!;
        index[axis] = 0;
      }
    }
    io.done();
  };
}
