import { jsKernels } from '../js/js.js';
import type { ReduceArgs } from '../kernels.js';
import { alignUp, type WasmArena } from './arena.js';
import type { KernelModule } from './module.js';
import { REDUCE_CODES } from './op-codes.js';

/**
 * float32 reductions in WebAssembly (sums in float64, as the js kernel). Other dtypes, and empty
 * reductions (whose results the js kernel defines), run on the js kernels.
 */
export function createWasmReduce(module: KernelModule, arena: WasmArena): (args: ReduceArgs) => void {
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
    const xAt = arena.base;
    const outAt = alignUp(xAt + outer * length * inner * 4);
    const scratchAt = alignUp(outAt + count * 4);
    arena.reserve(scratchAt + inner * 8 - arena.base);
    arena.f32.set(x.length === outer * length * inner ? x : x.subarray(0, outer * length * inner), xAt >> 2);
    module.reduceF32(REDUCE_CODES[op], xAt, outer, length, inner, outAt, scratchAt);
    // Int32 results are copied as raw 4-byte words through the float32 view: no conversion happens.
    const words = arena.f32.subarray(outAt >> 2, (outAt >> 2) + count);
    if (out instanceof Int32Array) out.set(new Int32Array(words.buffer, words.byteOffset, count));
    else out.set(words);
  };
}
