import { loadMnist } from '@dl/data-mnist';
import type { FloatTensor } from '@dl/layers';
import { rowsView, type TrainData } from '@dl/optim';
import type { Tensor } from '@dl/tensor';
import { CliError } from '../cli-error.js';

export interface LoadedData extends TrainData {
  /** `bundled MNIST` or the directory. */
  source: string;
  /** Per-sample shape: `[784]`, or `[1, 28, 28]` for convolutional models. */
  inputShape: number[];
  seconds: number;
}

/**
 * The four MNIST arrays (or those of any IDX directory), training rows cut to `trainSize` without a
 * copy. `flatten: false` keeps images as `[N, 1, rows, cols]`.
 */
export function loadData(options: {
  dir: string | null;
  trainSize: number | null;
  flatten?: boolean;
}): LoadedData {
  const began = performance.now();
  const data = loadMnist({
    ...(options.dir === null ? {} : { dir: options.dir }),
    flatten: options.flatten ?? true,
  });
  const available = data.xTrain.shape[0]!;
  const n = options.trainSize ?? available;
  if (n > available) {
    throw new CliError(`--train-size ${n}: the data has only ${available} training images`);
  }
  const xTrain: FloatTensor = n === available ? data.xTrain : rowsView(data.xTrain, 0, n);
  const tTrain: Tensor = n === available ? data.tTrain : rowsView(data.tTrain, 0, n);
  return {
    xTrain,
    tTrain,
    xTest: data.xTest,
    tTest: data.tTest,
    source: options.dir ?? 'bundled MNIST',
    inputShape: data.xTrain.shape.slice(1),
    seconds: (performance.now() - began) / 1000,
  };
}
