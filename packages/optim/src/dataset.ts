import { ShapeError, Tensor, permutation, shapeToString, take, type DType, type Rng } from '@dl/tensor';
import type { FloatTensor } from './model.js';

/** The four arrays the book's `Trainer` takes: inputs and targets (labels or one-hot) for each set. */
export interface TrainData {
  xTrain: FloatTensor;
  tTrain: Tensor;
  xTest: FloatTensor;
  tTest: Tensor;
}

/**
 * The four arrays with the images kept as bytes (`@dl/data-mnist`'s `loadMnistBytes`): the
 * `Trainer` turns each batch it draws, and each slice it evaluates, into float32 `byte /
 * pixelScale`, the values `loadMnist` would have held, at a quarter of the memory.
 */
export interface ByteTrainData {
  xTrain: Tensor<'uint8'>;
  tTrain: Tensor;
  xTest: Tensor<'uint8'>;
  tTest: Tensor;
  /** What divides a byte into the network's input: 255 for [0, 1] (the book's `normalize=True`), 1 for 0..255. */
  pixelScale: number;
}

/** Whether `data` keeps its images as bytes. */
export function isByteTrainData(data: TrainData | ByteTrainData): data is ByteTrainData {
  return 'pixelScale' in data;
}

/** A training set with a validation set held out of it (`splitValidation`). */
export interface ValidationSplit {
  xTrain: FloatTensor;
  tTrain: Tensor;
  xVal: FloatTensor;
  tVal: Tensor;
}

/** Throws unless `x` and `t` hold the same number of samples (rows). */
export function checkPair(op: string, x: Tensor, t: Tensor, names = 'x and t'): number {
  const n = x.shape[0];
  if (x.ndim === 0 || t.ndim === 0 || n !== t.shape[0]) {
    throw new ShapeError(
      `${op}: ${names} must have the same number of rows, got ${shapeToString(x.shape)} and ${shapeToString(t.shape)}`,
    );
  }
  return n!;
}

/** Rows `[start, end)` of `x` as a view (no copy): NumPy's `x[start:end]`. */
export function rowsView<D extends DType>(x: Tensor<D>, start: number, end: number): Tensor<D> {
  const n = x.shape[0] ?? 0;
  const from = Math.max(0, Math.min(start, n));
  const to = Math.max(from, Math.min(end, n));
  const row = n === 0 ? 0 : x.size / n;
  const data = x.data.subarray(from * row, to * row) as typeof x.data;
  return new Tensor(data, [to - from, ...x.shape.slice(1)], x.dtype);
}

/** The book's `common/util.py:shuffle_dataset`: copies of `x` and `t` with their rows in one random order. */
export function shuffleDataset<X extends FloatTensor, T extends Tensor>(
  x: X,
  t: T,
  rng: Rng,
): { x: X; t: T } {
  const n = checkPair('shuffleDataset', x, t);
  const order = permutation(n, rng);
  return { x: take(x, order) as X, t: take(t, order) as T };
}

/**
 * Holds out a validation set, as the book's `ch06/hyperparameter_optimization.py` does: shuffle
 * (seeded), then the first `floor(n * rate)` rows (default 20%) validate and the rest train.
 * Tune hyper-parameters on the validation set; the test set is for the final check only.
 */
export function splitValidation(
  x: FloatTensor,
  t: Tensor,
  options: { rng: Rng; rate?: number },
): ValidationSplit {
  const rate = options.rate ?? 0.2;
  if (!(rate > 0 && rate < 1)) throw new RangeError(`splitValidation: rate must be in (0, 1), got ${rate}`);
  const shuffled = shuffleDataset(x, t, options.rng);
  const n = shuffled.x.shape[0]!;
  const valNum = Math.floor(n * rate);
  if (valNum === 0 || valNum === n) {
    throw new RangeError(
      `splitValidation: ${n} samples at rate ${rate} leave an empty training or validation set`,
    );
  }
  return {
    xVal: rowsView(shuffled.x, 0, valNum),
    tVal: rowsView(shuffled.t, 0, valNum),
    xTrain: rowsView(shuffled.x, valNum, n),
    tTrain: rowsView(shuffled.t, valNum, n),
  };
}
