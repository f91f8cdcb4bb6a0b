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

/** Floats in `rows` rows of `x` (its shape past the first axis). */
function rowFloats(x: Tensor<'uint8'>, rows: number): number {
  const n = x.shape[0] ?? 0;
  return n === 0 ? 0 : rows * (x.size / n);
}

/**
 * A reusable float32 buffer of `rows` rows of `x`, in the bound backend's storage (wasm: its
 * memory), so the scaling kernel writes where the network reads; its `data` is a live view.
 */
function backendBuffer(x: Tensor<'uint8'>, rows: number): Tensor<'float32'> {
  const length = rowFloats(x, rows);
  return new Tensor(allocate('float32', length), [length], 'float32');
}

/** Rows `[0, n)` of the bytes `x` and of `t`, `size` at a time, each batch scaled into `buffer()`. */
function* scaledBatches(
  x: Tensor<'uint8'>,
  t: Tensor,
  pixelScale: number,
  n: number,
  size: number,
  buffer: () => Float32Array,
): Generator<{ x: FloatTensor; t: Tensor; rows: number }> {
  for (let i = 0; i < n; i += size) {
    const end = Math.min(i + size, n);
    yield { x: scaledRows(x, i, end, pixelScale, buffer()), t: rowsView(t, i, end), rows: end - i };
  }
}

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
  const buffer = backendBuffer(x, Math.min(size, n));
  let correct = 0;
  for (const batch of scaledBatches(x, t, pixelScale, n, size, () => buffer.data)) {
    // A count over the batch's rows, back from the fraction the model gives.
    correct += Math.round(model.accuracy(batch.x, batch.t, { batchSize: size }) * batch.rows);
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
  const buffer = backendBuffer(x, Math.min(size, n));
  const ctx = { train: false, rng: options.rng };
  let total = 0;
  for (const batch of scaledBatches(x, t, pixelScale, n, size, () => buffer.data)) {
    total += batch.rows * model.loss(batch.x, batch.t, ctx);
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
  // On the CPU and reused: a GPU network moves each batch up before the next is scaled into it.
  const buffer = new Float32Array(rowFloats(x, Math.min(size, n)));
  let correct = 0;
  for (const batch of scaledBatches(x, t, pixelScale, n, size, () => buffer)) {
    correct += Math.round((await accuracyAsync(batch.x, batch.t, { batchSize: size })) * batch.rows);
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
  const buffer = new Float32Array(rowFloats(x, Math.min(size, n)));
  const ctx = { train: false, rng: options.rng };
  let total = 0;
  for (const batch of scaledBatches(x, t, pixelScale, n, size, () => buffer)) {
    total += batch.rows * (await lossAsync(batch.x, batch.t, ctx));
  }
  return n === 0 ? Number.NaN : total / n;
}
