import { add, log, mul, ShapeError, sum, Tensor } from '@dl/tensor';
import type { FloatTensor } from './layer.js';

/**
 * Loss functions of chapter 4 (`common/functions.py`). Targets `t` are either one-hot rows (same size
 * as `y`) or label indices (one per row, any numeric dtype), as the book decides by `t.size == y.size`.
 */

/** The `1e-7` the book adds inside the log, so a zero probability gives a large finite loss, not Infinity. */
export const CROSS_ENTROPY_DELTA = 1e-7;

/** `0.5 * Σ (y - t)²` over every element: the book text's `mean_squared_error` (`sum_squared_error` in its code). */
export function meanSquaredError(y: Tensor, t: Tensor): number {
  if (y.size !== t.size) {
    throw new ShapeError(
      `meanSquaredError: y [${y.shape.join(',')}] and t [${t.shape.join(',')}] differ in size`,
    );
  }
  let sum = 0;
  for (let i = 0; i < y.size; i++) {
    const d = y.data[i]! - t.data[i]!;
    sum += d * d;
  }
  return 0.5 * sum;
}

/** The name the book's code uses for `meanSquaredError`. */
export const sumSquaredError = meanSquaredError;

/** Rows and classes of scores: a 1-D `y` is a batch of one. */
export function batchShape(op: string, y: Tensor): [rows: number, classes: number] {
  if (y.ndim === 1) return [1, y.size];
  if (y.ndim === 2) return [y.shape[0]!, y.shape[1]!];
  throw new ShapeError(`${op}: y must be 1-D or 2-D (batch, classes), got [${y.shape.join(',')}]`);
}

/** True when `t` holds one-hot rows for `y`, false when it holds one label per row (checked). */
export function isOneHot(op: string, y: Tensor, t: Tensor, rows: number): boolean {
  if (t.size === y.size) return true;
  if (t.size !== rows) {
    throw new ShapeError(
      `${op}: t [${t.shape.join(',')}] is neither one-hot (size ${y.size}) nor ${rows} label(s) for y [${y.shape.join(',')}]`,
    );
  }
  return false;
}

/** The label of row `i`, checked to be an integer class index. */
export function labelAt(op: string, t: Tensor, i: number, classes: number): number {
  const k = t.data[i]!;
  if (!Number.isInteger(k) || k < 0 || k >= classes) {
    throw new RangeError(`${op}: label ${k} at row ${i} is not a class index in [0, ${classes})`);
  }
  return k;
}

/**
 * `-Σ t · log(y + 1e-7) / N` for a batch of N probability rows. With labels this is
 * `-Σ log(y[i, t_i] + 1e-7) / N`; for one-hot targets both forms agree with the book's
 * (which takes the argmax of `t`), and the weighted sum also handles soft targets.
 */
export function crossEntropyError(y: FloatTensor, t: Tensor): number {
  const [rows, classes] = batchShape('crossEntropyError', y);
  const oneHot = isOneHot('crossEntropyError', y, t, rows);
  const p = y.data;
  let sum = 0;
  if (oneHot) {
    for (let i = 0; i < p.length; i++) {
      const ti = t.data[i]!;
      if (ti !== 0) sum += ti * Math.log(p[i]! + CROSS_ENTROPY_DELTA);
    }
  } else {
    for (let i = 0; i < rows; i++)
      sum += Math.log(p[i * classes + labelAt('crossEntropyError', t, i, classes)]! + CROSS_ENTROPY_DELTA);
  }
  return -sum / rows;
}

/**
 * `crossEntropyError` as a one-element tensor computed by the backend's ops, for a backend whose
 * tensors the CPU cannot read synchronously (`webgpu`): the same `-Σ t · log(y + 1e-7) / N`, with
 * labels turned into one-hot weights on the CPU (the targets are a host batch). Summed in float32
 * in the kernel's order, so it agrees with `crossEntropyError` to float32 rounding, not bit for bit.
 */
export function crossEntropyErrorTensor(y: FloatTensor, t: Tensor): FloatTensor {
  const [rows, classes] = batchShape('crossEntropyError', y);
  const weights = new Float32Array(rows * classes);
  if (isOneHot('crossEntropyError', y, t, rows)) weights.set(t.data);
  else for (let i = 0; i < rows; i++) weights[i * classes + labelAt('crossEntropyError', t, i, classes)] = 1;
  const w = new Tensor(weights, y.shape, 'float32', undefined) as FloatTensor;
  return mul(sum(mul(w, log(add(y, CROSS_ENTROPY_DELTA)))), -1 / rows);
}
