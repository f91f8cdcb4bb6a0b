import { argmax, Tensor } from '@dl/tensor';
import type { FloatTensor, ForwardContext, Model } from '../layer.js';

/** One example the model gets wrong. */
export interface Misclassified {
  /** Row of the example in `x`. */
  index: number;
  /** The true class. */
  label: number;
  /** The class the model chose (the highest score). */
  prediction: number;
  /** The softmax probability of `prediction`: how sure the model was. */
  probability: number;
  /** The softmax probability the model gave the true class. */
  labelProbability: number;
}

export interface MisclassifiedOptions {
  /** Rows per forward pass (default 1000). */
  batchSize?: number;
  /** Stop after this many (default: all). */
  limit?: number;
}

const TEST: ForwardContext = { train: false };

/**
 * The examples of `x` whose predicted class (test mode) is not the target, in index order, with the
 * softmax probability of the prediction and of the true class: the book's chapter 8 figure of
 * misrecognised digits, as data. `t` holds labels `[N]` or one-hot rows `[N, classes]`.
 */
export function listMisclassified(
  model: Pick<Model, 'predict'>,
  x: FloatTensor,
  t: Tensor,
  options: MisclassifiedOptions = {},
): Misclassified[] {
  const { batchSize = 1000, limit = Infinity } = options;
  const n = x.shape[0] ?? 0;
  const labels = t.ndim === 1 ? t : argmax(t, { axis: 1 });
  if (labels.size !== n) throw new Error(`listMisclassified: ${labels.size} targets for ${n} samples`);
  const row = n === 0 ? 0 : x.size / n;
  const wrong: Misclassified[] = [];
  for (let start = 0; start < n && wrong.length < limit; start += batchSize) {
    const end = Math.min(start + batchSize, n);
    const xb = new Tensor(
      x.data.subarray(start * row, end * row),
      [end - start, ...x.shape.slice(1)],
      x.dtype,
    );
    const scores = model.predict(xb, TEST);
    const classes = scores.shape[1]!;
    for (let i = 0; i < end - start && wrong.length < limit; i++) {
      const s = scores.data.subarray(i * classes, (i + 1) * classes);
      let best = 0;
      for (let k = 1; k < classes; k++) if (s[k]! > s[best]!) best = k;
      const label = labels.data[start + i]!;
      if (best === label) continue;
      // Softmax of this row, shifted by its maximum.
      let total = 0;
      for (let k = 0; k < classes; k++) total += Math.exp(s[k]! - s[best]!);
      wrong.push({
        index: start + i,
        label,
        prediction: best,
        probability: 1 / total,
        labelProbability: Math.exp(s[label]! - s[best]!) / total,
      });
    }
  }
  return wrong;
}
