import { allocate, Tensor, type Rng } from '@dl/tensor';
import type { FloatTensor, Model } from './model.js';
import { rowsView } from './dataset.js';
import { scaledRows } from './byte-images.js';

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

/**
 * Rows a `ByteTrainData` set is evaluated in when no batch size is given: `LayerNetwork.accuracy`'s
 * default, so each forward sees the batches it sees on the float32 set, and gives the same numbers.
 */
export const BYTE_EVAL_ROWS = 1000;

/**
 * `model.accuracy` on the first `rows` rows of images kept as bytes: `batchSize` rows at a time
 * (default `BYTE_EVAL_ROWS`) are scaled into one reused float32 buffer and measured; the correct
 * answers are summed. The same result as `accuracy` on the float32 set in batches of that size.
 */
export function byteAccuracy(
  model: Model,
  x: Tensor<'uint8'>,
  t: Tensor,
  pixelScale: number,
  options: { rows?: number; batchSize?: number } = {},
): number {
  const n = Math.min(options.rows ?? Infinity, x.shape[0] ?? 0);
  const size = options.batchSize ?? BYTE_EVAL_ROWS;
  if (n === 0) return model.accuracy(scaledRows(x, 0, 0, pixelScale), rowsView(t, 0, 0), { batchSize: size });
  // In the backend's storage (wasm: its memory), so the scaling kernel writes where the network reads.
  const buffer = new Tensor(
    allocate('float32', Math.min(size, n) * (x.size / x.shape[0]!)),
    [Math.min(size, n) * (x.size / x.shape[0]!)],
    'float32',
  );
  let correct = 0;
  for (let i = 0; i < n; i += size) {
    const end = Math.min(i + size, n);
    const fraction = model.accuracy(scaledRows(x, i, end, pixelScale, buffer.data), rowsView(t, i, end), {
      batchSize: size,
    });
    // A count over (end - i) rows, back from the fraction the model gives.
    correct += Math.round(fraction * (end - i));
  }
  return correct / n;
}

/** `datasetLoss` on images kept as bytes, each batch scaled into one reused float32 buffer. */
export function byteDatasetLoss(
  model: Model,
  x: Tensor<'uint8'>,
  t: Tensor,
  pixelScale: number,
  options: { batchSize?: number; rng?: Rng } = {},
): number {
  const n = x.shape[0] ?? 0;
  const size = options.batchSize ?? 1000;
  // In the backend's storage (wasm: its memory), so the scaling kernel writes where the network reads.
  const buffer = new Tensor(
    allocate('float32', Math.min(size, n) * (n === 0 ? 0 : x.size / n)),
    [Math.min(size, n) * (n === 0 ? 0 : x.size / n)],
    'float32',
  );
  let total = 0;
  for (let i = 0; i < n; i += size) {
    const rows = Math.min(size, n - i);
    total +=
      rows *
      model.loss(scaledRows(x, i, i + rows, pixelScale, buffer.data), rowsView(t, i, i + rows), {
        train: false,
        rng: options.rng,
      });
  }
  return n === 0 ? Number.NaN : total / n;
}

/** `byteAccuracy` read back asynchronously (`model.accuracyAsync`; any backend, a GPU's included). */
export async function byteAccuracyAsync(
  model: Model,
  x: Tensor<'uint8'>,
  t: Tensor,
  pixelScale: number,
  options: { rows?: number; batchSize?: number } = {},
): Promise<number> {
  const accuracyAsync = model.accuracyAsync?.bind(model);
  if (accuracyAsync === undefined) return byteAccuracy(model, x, t, pixelScale, options);
  const n = Math.min(options.rows ?? Infinity, x.shape[0] ?? 0);
  const size = options.batchSize ?? BYTE_EVAL_ROWS;
  if (n === 0) return accuracyAsync(scaledRows(x, 0, 0, pixelScale), rowsView(t, 0, 0), { batchSize: size });
  // The buffer is reused: a GPU network moves each batch up before the next is scaled into it.
  const buffer = new Float32Array(Math.min(size, n) * (x.size / x.shape[0]!));
  let correct = 0;
  for (let i = 0; i < n; i += size) {
    const end = Math.min(i + size, n);
    const batch = scaledRows(x, i, end, pixelScale, buffer);
    const fraction = await accuracyAsync(batch, rowsView(t, i, end), { batchSize: size });
    correct += Math.round(fraction * (end - i));
  }
  return correct / n;
}

/** `byteDatasetLoss` read back asynchronously (`model.lossAsync`; any backend). */
export async function byteDatasetLossAsync(
  model: Model,
  x: Tensor<'uint8'>,
  t: Tensor,
  pixelScale: number,
  options: { batchSize?: number; rng?: Rng } = {},
): Promise<number> {
  const lossAsync = model.lossAsync?.bind(model);
  if (lossAsync === undefined) return byteDatasetLoss(model, x, t, pixelScale, options);
  const n = x.shape[0] ?? 0;
  const size = options.batchSize ?? 1000;
  const buffer = new Float32Array(Math.min(size, n) * (n === 0 ? 0 : x.size / n));
  let total = 0;
  for (let i = 0; i < n; i += size) {
    const rows = Math.min(size, n - i);
    const ctx = { train: false, rng: options.rng };
    total +=
      rows * (await lossAsync(scaledRows(x, i, i + rows, pixelScale, buffer), rowsView(t, i, i + rows), ctx));
  }
  return n === 0 ? Number.NaN : total / n;
}
