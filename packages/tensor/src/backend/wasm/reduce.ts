import { jsKernels } from '../js/js.js';
import type { ReduceArgs } from '../kernels.js';
import type { WasmHeap } from './heap.js';
import { withIo } from './io.js';
import type { KernelModule } from './module.js';
import { REDUCE_CODES } from './op-codes.js';

/**
 * float32 reductions in WebAssembly (sums in float64, as the js kernel). Other dtypes, and empty
 * reductions (whose results the js kernel defines), run on the js kernels.
 */
export function createWasmReduce(module: KernelModule, heap: WasmHeap): (args: ReduceArgs) => void {
  return (args) => {
    const { op, x, outer, length, inner, out } = args;
    const isArg = op === 'argmax' || op === 'argmin';
    const supported =
      x instanceof Float32Array && (isArg ? out instanceof Int32Array : out instanceof Float32Array);
    if (!supported || length === 0) {
      jsKernels.reduce(args);
      return;
    }
    const count = outer * inner;
    if (count === 0) return;
    withIo(heap, (io) => {
      const [xAt, outAt] = io.bind({ in: x, n: outer * length * inner }, { out, n: count });
      module.reduceF32(REDUCE_CODES[op], xAt, outer, length, inner, outAt, io.scratch(inner * 8));
    });
  };
}
