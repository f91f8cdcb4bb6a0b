import type { FloatTensor, Model } from '@dl/layers';
import { datasetLoss, datasetLossAsync, rowsView } from '@dl/optim';
import { argmax, type Tensor } from '@dl/tensor';

export interface Evaluation {
  samples: number;
  accuracy: number;
  loss: number;
  /** Accuracy on the examples of each class (NaN for a class with none). */
  perClass: number[];
  /** `confusion[label][prediction]`: how many examples of each class went to each prediction. */
  confusion: number[][];
}

/** Accuracy, mean loss (test mode), per-class accuracy and the confusion matrix of `model` on `x`, `t`. */
export function evaluateModel(
  model: Model,
  x: FloatTensor,
  t: Tensor,
  classes = 10,
  batchSize = 1000,
): Evaluation {
  const n = x.shape[0]!;
  const labels = t.ndim === 1 ? t : argmax(t, { axis: 1 });
  const confusion = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  let correct = 0;
  for (let start = 0; start < n; start += batchSize) {
    const end = Math.min(n, start + batchSize);
    const predicted = argmax(model.predict(rowsView(x, start, end), { train: false }), { axis: 1 });
    for (let i = 0; i < end - start; i++) {
      const label = labels.data[start + i]!;
      const p = predicted.data[i]!;
      confusion[label]![p]! += 1;
      if (p === label) correct++;
    }
  }
  const perClass = perClassAccuracy(confusion);
  return {
    samples: n,
    accuracy: n === 0 ? Number.NaN : correct / n,
    loss: datasetLoss(model, x, t, { batchSize }),
    perClass,
    confusion,
  };
}

/**
 * `evaluateModel` with predictions and losses read back asynchronously: the same numbers from a
 * network on any backend, a GPU's (`webgpu`) included.
 */
export async function evaluateModelAsync(
  model: Model,
  x: FloatTensor,
  t: Tensor,
  classes = 10,
  batchSize = 1000,
): Promise<Evaluation> {
  const n = x.shape[0]!;
  const labels = (t.ndim === 1 ? t : argmax(t, { axis: 1 })).data;
  const confusion = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  let correct = 0;
  for (let start = 0; start < n; start += batchSize) {
    const end = Math.min(n, start + batchSize);
    const scores = model.predict(rowsView(x, start, end), { train: false });
    const predicted = await argmax(scores, { axis: 1 }).read();
    for (let i = 0; i < end - start; i++) {
      const label = labels[start + i]!;
      const p = predicted[i]!;
      confusion[label]![p]! += 1;
      if (p === label) correct++;
    }
  }
  return {
    samples: n,
    accuracy: n === 0 ? Number.NaN : correct / n,
    loss: await datasetLossAsync(model, x, t, { batchSize }),
    perClass: perClassAccuracy(confusion),
    confusion,
  };
}

function perClassAccuracy(confusion: readonly (readonly number[])[]): number[] {
  return confusion.map((row, c) => {
    const total = row.reduce((a, b) => a + b, 0);
    return total === 0 ? Number.NaN : row[c]! / total;
  });
}

/** The confusion matrix as aligned text, labels down, predictions across. */
export function formatConfusion(confusion: readonly (readonly number[])[]): string {
  const width = Math.max(4, ...confusion.flat().map((v) => String(v).length + 1));
  const head = `true\\pred${confusion.map((_, c) => String(c).padStart(width)).join('')}`;
  const rows = confusion.map(
    (row, c) => `${String(c).padStart(9)}${row.map((v) => String(v).padStart(width)).join('')}`,
  );
  return [head, ...rows].join('\n');
}
