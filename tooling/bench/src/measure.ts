/**
 * Times a call: one warm-up call (compilation, page faults), one to size batches of about `batchMs`,
 * then batches until `budgetMs` is spent (at least three). Reports the fastest batch's mean: other
 * processes only ever slow a batch down, so the minimum is the most repeatable figure on a busy
 * machine. python/gemm.py measures NumPy the same way.
 */
export interface MeasureOptions {
  budgetMs: number;
  batchMs: number;
}

export function measure(fn: () => void, { budgetMs, batchMs }: MeasureOptions): number {
  fn();
  let start = performance.now();
  fn();
  const single = Math.max(performance.now() - start, 1e-6);
  if (single > budgetMs) return single;
  const calls = Math.max(1, Math.floor(batchMs / single));
  let best = single;
  let spent = single;
  for (let round = 0; round < 3 || spent < budgetMs; round++) {
    start = performance.now();
    for (let i = 0; i < calls; i++) fn();
    const elapsed = performance.now() - start;
    spent += elapsed;
    best = Math.min(best, elapsed / calls);
  }
  return best;
}
