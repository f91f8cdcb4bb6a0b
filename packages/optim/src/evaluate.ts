import type { Rng, Tensor } from '@dl/tensor';
import type { FloatTensor, Model } from './model.js';
import { rowsView } from './dataset.js';

/**
 * Mean loss of `model` over a whole set, in test mode, in batches of `batchSize` (default 1000).
 * Each batch's loss is a batch mean, so batches are weighted by their size; a weight-decay term,
 * added once per batch, stays counted once.
 */
export function datasetLoss(
  model: Model,
  x: FloatTensor,
  t: Tensor,
  options: { batchSize?: number; rng?: Rng } = {},
): number {
  const n = x.shape[0] ?? 0;
  const size = options.batchSize ?? 1000;
  let total = 0;
  for (let i = 0; i < n; i += size) {
    const rows = Math.min(size, n - i);
    total +=
      rows *
      model.loss(rowsView(x, i, i + rows), rowsView(t, i, i + rows), { train: false, rng: options.rng });
  }
  return n === 0 ? Number.NaN : total / n;
}

/** `datasetLoss` with each batch's loss read back asynchronously (`model.lossAsync`; any backend). */
export async function datasetLossAsync(
  model: Model,
  x: FloatTensor,
  t: Tensor,
  options: { batchSize?: number; rng?: Rng } = {},
): Promise<number> {
  const lossAsync = model.lossAsync?.bind(model);
  if (lossAsync === undefined) return datasetLoss(model, x, t, options);
  const n = x.shape[0] ?? 0;
  const size = options.batchSize ?? 1000;
  let total = 0;
  for (let i = 0; i < n; i += size) {
    const rows = Math.min(size, n - i);
    const ctx = { train: false, rng: options.rng };
    total += rows * (await lossAsync(rowsView(x, i, i + rows), rowsView(t, i, i + rows), ctx));
  }
  return n === 0 ? Number.NaN : total / n;
}
