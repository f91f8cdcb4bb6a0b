import type { GemmArgs } from '../kernels.js';
import { gemmJs } from '../js/gemm.js';
import type { WasmHeap } from './heap.js';
import { withIo, type KernelIo } from './io.js';
import type { KernelFunction, KernelModule } from './module.js';
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
 * The `wasm` GEMM: the packed SIMD kernel on the operands where they live (operands outside the heap
 * are copied in, and c back; see `io.ts`). With a thread pool, products of 2 MFLOP and more are split by `planGemm`: the main thread computes
 * the first part, each worker one other, on the same copies in shared memory.
 */
export function createWasmGemm(
  module: KernelModule,
  heap: WasmHeap,
  pool?: WasmThreadPool,
): (args: GemmArgs) => void {
  const threads = (pool?.size ?? 0) + 1;
  return (args) => {
    const { m, n, k, beta, a, b, c } = args;
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
    withIo(heap, (io) => {
      // beta = 0 ignores c's old contents (even NaN), so they need not travel.
      const [aAt, bAt, cAt] = io.bind(
        { in: a, n: m * k },
        { in: b, n: k * n },
        beta !== 0 ? { inout: c, n: m * n } : { out: c, n: m * n },
      );
      runGemm(module, io, pool, threads, args, aAt, bAt, cAt);
    });
  };
}

/** The product on operands at `aAt`, `bAt`, `cAt`: one call, or split among the threads. */
function runGemm(
  module: KernelModule,
  io: KernelIo,
  pool: WasmThreadPool | undefined,
  threads: number,
  args: GemmArgs,
  aAt: number,
  bAt: number,
  cAt: number,
): void {
  const { m, n, k, transA, transB, alpha, beta } = args;
  const lda = transA ? m : k;
  const ldb = transB ? k : n;
  const plan = pool ? planGemm(m, n, k, threads) : { axis: 'none' as const };
  const parts: readonly Part[] = plan.axis === 'none' ? [{ start: 0, size: 0 }] : plan.parts;
  // For each part its scratch (packed panels) and, when K is split, its partial product.
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
    partial.push(plan.axis === 'k' && t > 0 ? io.scratch(m * n * 4) : cAt);
    scratch.push(io.scratch(module.gemmScratchBytes(pm, pn, pk)));
  }
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
}

/** Parts 1.. on the workers, part 0 here, then waits for all (a failure is thrown after every wait). */
export function runParts(
  pool: WasmThreadPool | undefined,
  parts: number,
  fn: KernelFunction,
  args: (t: number) => readonly number[],
  runHere: (t: number) => void,
): void {
  for (let t = 1; t < parts; t++) pool!.run(t - 1, fn, args(t));
  let failure: Error | undefined;
  try {
    runHere(0);
  } catch (error) {
    failure = asError(error);
  }
  if (pool) waitAll(pool, parts - 1, failure);
  else if (failure) throw failure;
}
