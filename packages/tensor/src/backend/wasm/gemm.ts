import type { GemmArgs } from '../kernels.js';
import { gemmJs } from '../js/gemm.js';
import { alignUp, type WasmArena } from './arena.js';
import type { KernelModule } from './module.js';
import { planGemm, type Part } from './split.js';
import type { WasmThreadPool } from './threads.js';

function checkLength(name: string, array: { length: number }, need: number, args: GemmArgs): void {
  if (array.length < need) {
    const { m, n, k, transA, transB } = args;
    throw new RangeError(
      `gemm (wasm): ${name} has ${array.length} elements, m=${m} n=${n} k=${k} ` +
        `transA=${transA} transB=${transB} needs ${need}`,
    );
  }
}

/** Bit i set: argument i of `gemm` is a float (alpha and beta). */
const GEMM_FLOATS = (1 << 5) | (1 << 6);
/** The GEMM's edge tiles may read (never write) 16 bytes past c's last row. */
const SLACK = 16;

/** `error` as an Error (a WebAssembly trap already is one). */
export function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

/**
 * Waits for workers 0..workers-1, and throws `failure` (the main thread's part's) or a worker's once
 * every one has finished: a later call must not find a worker still busy.
 */
export function waitAll(pool: WasmThreadPool, workers: number, failure?: Error): void {
  for (let w = 0; w < workers; w++) {
    try {
      pool.wait(w);
    } catch (error) {
      failure ??= asError(error);
    }
  }
  if (failure !== undefined) throw failure;
}

/**
 * The `wasm` GEMM: copies a, b (and c when beta ≠ 0) into the arena, runs the packed SIMD kernel
 * there, and copies c back. Copying an operand costs a few percent of its product (docs/benchmarks.md).
 * With a thread pool, products of 2 MFLOP and more are split by `planGemm`: the main thread computes
 * the first part, each worker one other, on the same copies in shared memory.
 */
export function createWasmGemm(
  module: KernelModule,
  arena: WasmArena,
  pool?: WasmThreadPool,
): (args: GemmArgs) => void {
  const threads = (pool?.size ?? 0) + 1;
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
    const lda = transA ? m : k;
    const ldb = transB ? k : n;
    const plan = pool ? planGemm(m, n, k, threads) : { axis: 'none' as const };
    const parts: readonly Part[] = plan.axis === 'none' ? [{ start: 0, size: 0 }] : plan.parts;
    // After c: for each part its scratch (packed panels) and, when K is split, its partial product.
    let at = alignUp(cAt + m * n * 4 + SLACK);
    const scratch: number[] = [];
    const partial: number[] = [];
    for (let t = 0; t < parts.length; t++) {
      const { size } = parts[t]!;
      const [pm, pn, pk] =
        plan.axis === 'm'
          ? [size, n, k]
          : plan.axis === 'n'
            ? [m, size, k]
            : plan.axis === 'k'
              ? [m, n, size]
              : [m, n, k];
      partial.push(plan.axis === 'k' && t > 0 ? at : cAt);
      if (plan.axis === 'k' && t > 0) at = alignUp(at + m * n * 4 + SLACK);
      scratch.push(at);
      at = alignUp(at + module.gemmScratchBytes(pm, pn, pk));
    }
    arena.reserve(at - arena.base);
    const f32 = arena.f32;
    f32.set(a.length === m * k ? a : a.subarray(0, m * k), aAt >> 2);
    f32.set(b.length === k * n ? b : b.subarray(0, k * n), bAt >> 2);
    // beta = 0 ignores c's old contents (even NaN), so they need not travel.
    if (beta !== 0) f32.set(c.length === m * n ? c : c.subarray(0, m * n), cAt >> 2);
    const tA = transA ? 1 : 0;
    const tB = transB ? 1 : 0;
    if (plan.axis === 'none') {
      module.gemm(m, n, k, tA, tB, alpha, beta, aAt, lda, bAt, ldb, cAt, n, scratch[0]!);
    } else {
      // Part t's operands: blocks of a, b and c addressed through the leading dimensions.
      const call = (t: number): number[] => {
        const { start, size } = parts[t]!;
        switch (plan.axis) {
          case 'm': // rows start.. of op(a) and c
            return [
              size,
              n,
              k,
              tA,
              tB,
              alpha,
              beta,
              aAt + (transA ? start : start * lda) * 4,
              lda,
              bAt,
              ldb,
              cAt + start * n * 4,
              n,
              scratch[t]!,
            ];
          case 'n': // columns start.. of op(b) and c
            return [
              m,
              size,
              k,
              tA,
              tB,
              alpha,
              beta,
              aAt,
              lda,
              bAt + (transB ? start * ldb : start) * 4,
              ldb,
              cAt + start * 4,
              n,
              scratch[t]!,
            ];
          case 'k': // depth start.. of op(a) and op(b); parts after the first write their own c, beta 0
            return [
              m,
              n,
              size,
              tA,
              tB,
              alpha,
              t === 0 ? beta : 0,
              aAt + (transA ? start * lda : start) * 4,
              lda,
              bAt + (transB ? start : start * ldb) * 4,
              ldb,
              partial[t]!,
              n,
              scratch[t]!,
            ];
        }
      };
      for (let t = 1; t < parts.length; t++) pool!.run(t - 1, 'gemm', call(t), GEMM_FLOATS);
      let failure: Error | undefined;
      try {
        module.gemm(...(call(0) as Parameters<KernelModule['gemm']>));
      } catch (error) {
        failure = asError(error);
      }
      waitAll(pool!, parts.length - 1, failure);
      // c += each partial product, in part order.
      for (let t = 1; t < parts.length && plan.axis === 'k'; t++) {
        module.binaryF32(0, 1, m * n, cAt, 0, 1, partial[t]!, 0, 1, cAt);
      }
    }
    c.set(arena.f32.subarray(cAt >> 2, (cAt >> 2) + m * n));
  };
}
