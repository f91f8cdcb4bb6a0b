import { loadMnist, loadMnistBytes } from '@dl/data-mnist';
import type { FloatTensor } from '@dl/layers';
import { rowsView, type ByteTrainData, type TrainData } from '@dl/optim';
import type { Tensor } from '@dl/tensor';
import { CliError } from '../cli-error.js';

/** Where the data came from and how it is shaped, whichever form its images take. */
interface DataInfo {
  /** `bundled MNIST` or the directory. */
  source: string;
  /** Per-sample shape: `[784]`, or `[1, 28, 28]` for convolutional models. */
  inputShape: number[];
  seconds: number;
}

export interface LoadedData extends TrainData, DataInfo {}

/** The data with its images kept as bytes, scaled a batch at a time by the Trainer (what `dl train` uses). */
export interface LoadedByteData extends ByteTrainData, DataInfo {}

interface LoadOptions {
  dir: string | null;
  trainSize: number | null;
  flatten?: boolean;
}

/**
 * The four MNIST arrays (or those of any IDX directory), training rows cut to `trainSize` without a
 * copy. `flatten: false` keeps images as `[N, 1, rows, cols]`.
 */
export function loadData(options: LoadOptions): LoadedData {
  const began = performance.now();
  const data = loadMnist(mnistOptions(options));
  return { ...cut(data, options), source: source(options), seconds: (performance.now() - began) / 1000 };
}

/**
 * `loadData` with the images as bytes (`loadMnistBytes`): the Trainer scales each batch and each
 * evaluated slice into the float32 values `loadData` holds, so a run trains on the same numbers
 * with 141 MB less of MNIST in memory (47 + 8 MB of bytes instead of 188 + 31 of float32).
 */
export function loadByteData(options: LoadOptions): LoadedByteData {
  const began = performance.now();
  const data = loadMnistBytes(mnistOptions(options));
  return {
    ...cut(data, options),
    pixelScale: data.pixelScale,
    source: source(options),
    seconds: (performance.now() - began) / 1000,
  };
}

function mnistOptions(options: LoadOptions): { dir?: string; flatten: boolean } {
  return { ...(options.dir === null ? {} : { dir: options.dir }), flatten: options.flatten ?? true };
}

const source = (options: LoadOptions): string => options.dir ?? 'bundled MNIST';

/** The sets with the training rows cut to `trainSize` (views), and the per-sample shape. */
function cut<X extends FloatTensor | Tensor<'uint8'>>(
  data: { xTrain: X; tTrain: Tensor; xTest: X; tTest: Tensor },
  options: LoadOptions,
): { xTrain: X; tTrain: Tensor; xTest: X; tTest: Tensor; inputShape: number[] } {
  const available = data.xTrain.shape[0]!;
  const n = options.trainSize ?? available;
  if (n > available) {
    throw new CliError(`--train-size ${n}: the data has only ${available} training images`);
  }
  return {
    xTrain: n === available ? data.xTrain : (rowsView(data.xTrain, 0, n) as X),
    tTrain: n === available ? data.tTrain : rowsView(data.tTrain, 0, n),
    xTest: data.xTest,
    tTest: data.tTest,
    inputShape: data.xTrain.shape.slice(1),
  };
}
