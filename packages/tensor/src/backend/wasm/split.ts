/**
 * How a product or a convolution is shared among threads. Each thread's part is a contiguous range of
 * one axis; the main thread takes the first.
 */
export interface Part {
  start: number;
  size: number;
}

/**
 * Which axis of `c (m×n) = op(a) (m×k) · op(b) (k×n)` is split: M (rows of c) and N (columns) give
 * every thread whole elements of c, computed exactly as one thread computes them (bit-identical
 * results); K gives each thread a partial product over part of the sum, added up afterwards (the
 * float32 sums round in another order). `none`: one thread.
 */
export type GemmSplit = { axis: 'none' } | { axis: 'm' | 'n' | 'k'; parts: Part[] };

/**
 * Below this many floating-point operations a convolution or a pooling runs on one thread: waking a
 * sleeping worker costs about as long as such a kernel takes on one core (far more when other
 * processes load every core); the figures are in docs/benchmarks.md. Products: MIN_PARALLEL_GEMM_FLOPS.
 */
export const MIN_PARALLEL_FLOPS = 2e6;
/**
 * Below this many floating-point operations a product runs on one thread. A 2-10 MFLOP product takes
 * 0.05-0.2 ms on one core; a second thread halves that only if it starts at once, so this bound rests
 * on the workers polling between calls instead of sleeping (`threads.ts`): from 2026-12-06 until
 * then, TwoLayerNet's 7.8 MFLOP products stayed on one thread because a worker woken from its sleep
 * made its step slower on two threads than on one (docs/benchmarks.md).
 */
export const MIN_PARALLEL_GEMM_FLOPS = 2e6;
/**
 * The least extent of the split axis per thread. Splitting M makes every thread pack all of op(B),
 * splitting N all of op(A): fewer than ~32 rows (columns) each and that repeated packing costs more
 * than the threads gain. Splitting K needs no repeated packing, only a sum of the partial products.
 */
const MIN_ROWS = 32;
const MIN_DEPTH = 128;

/** `total` split into `parts` ranges as equal as possible, each a multiple of `align` but the last. */
export function splitRange(total: number, parts: number, align = 1): Part[] {
  const out: Part[] = [];
  let start = 0;
  for (let i = 0; i < parts && start < total; i++) {
    const left = parts - i;
    const even = Math.ceil((total - start) / left);
    const size = i === parts - 1 ? total - start : Math.min(total - start, Math.ceil(even / align) * align);
    out.push({ start, size });
    start += size;
  }
  return out;
}

/** How to share one product among `threads` threads (`none` below MIN_PARALLEL_GEMM_FLOPS). */
export function planGemm(m: number, n: number, k: number, threads: number): GemmSplit {
  if (threads < 2 || 2 * m * n * k < MIN_PARALLEL_GEMM_FLOPS) return { axis: 'none' };
  // Rows in multiples of the micro-kernel's 4, columns of its 8: no thread gets a ragged tile.
  if (m >= MIN_ROWS * threads) return { axis: 'm', parts: splitRange(m, threads, 4) };
  if (n >= MIN_ROWS * threads) return { axis: 'n', parts: splitRange(n, threads, 8) };
  if (k >= MIN_DEPTH * threads) return { axis: 'k', parts: splitRange(k, threads) };
  const rows = Math.floor(m / MIN_ROWS);
  if (rows >= 2) return { axis: 'm', parts: splitRange(m, rows, 4) };
  return { axis: 'none' };
}

/** Samples per thread for a convolution of `flops` over `batch` samples (one part: one thread). */
export function planSamples(batch: number, flops: number, threads: number): Part[] {
  if (threads < 2 || batch < 2 || flops < MIN_PARALLEL_FLOPS) return [{ start: 0, size: batch }];
  return splitRange(batch, Math.min(threads, batch));
}
