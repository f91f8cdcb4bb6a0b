import type { GemmArgs } from './kernels.js';
import { gemmJs } from './js-gemm.js';
import { alignUp, type WasmArena } from './wasm-arena.js';
import type { KernelModule } from './wasm-module.js';

function checkLength(name: string, array: { length: number }, need: number, args: GemmArgs): void {
  if (array.length < need) {
    const { m, n, k, transA, transB } = args;
    throw new RangeError(
      `gemm (wasm): ${name} has ${array.length} elements, m=${m} n=${n} k=${k} ` +
        `transA=${transA} transB=${transB} needs ${need}`,
    );
  }
}

/**
 * The `wasm` GEMM: copies a, b (and c when beta ≠ 0) into the arena, runs the packed SIMD kernel
 * there, and copies c back. Copying a 100×784 float32 operand costs ~10 µs, under 3% of its product.
 */
export function createWasmGemm(module: KernelModule, arena: WasmArena): (args: GemmArgs) => void {
  return (args) => {
    const { m, n, k, transA, transB, alpha, beta, a, b, c } = args;
    if (!(a instanceof Float32Array && b instanceof Float32Array && c instanceof Float32Array)) {
      // float64 products (gradient checks) stay on the js kernel: they want float64 accuracy, not
      // speed, and a float64 WASM kernel would be half as fast as float32 at best.
      gemmJs(args);
      return;
    }
    if (m === 0 || n === 0) return;
    checkLength('a', a, m * k, args);
    checkLength('b', b, k * n, args);
    checkLength('c', c, m * n, args);
    const aAt = arena.base;
    const bAt = alignUp(aAt + m * k * 4);
    const cAt = alignUp(bAt + k * n * 4);
    // Scratch right after c: edge tiles may read (never write) 16 bytes past c's last row.
    const scratchAt = alignUp(cAt + m * n * 4);
    arena.reserve(scratchAt + module.gemmScratchBytes(m, n, k) - arena.base);
    const f32 = arena.f32;
    f32.set(a.length === m * k ? a : a.subarray(0, m * k), aAt >> 2);
    f32.set(b.length === k * n ? b : b.subarray(0, k * n), bAt >> 2);
    // beta = 0 ignores c's old contents (even NaN), so they need not travel.
    if (beta !== 0) f32.set(c.length === m * n ? c : c.subarray(0, m * n), cAt >> 2);
    const lda = transA ? m : k;
    const ldb = transB ? k : n;
    module.gemm(m, n, k, transA ? 1 : 0, transB ? 1 : 0, alpha, beta, aAt, lda, bAt, ldb, cAt, n, scratchAt);
    c.set(f32.subarray(cAt >> 2, (cAt >> 2) + m * n));
  };
}
