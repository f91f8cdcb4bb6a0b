import type { Rng, Tensor } from '@dl/tensor';
import { isByteTrainData, rowsView } from './dataset.js';
import {
  byteAccuracy,
  byteAccuracyAsync,
  byteDatasetLoss,
  byteDatasetLossAsync,
  datasetLoss,
  datasetLossAsync,
} from './evaluate.js';
import type { FloatTensor, Model } from './model.js';
import type { TrainerData } from './trainer-options.js';

// The Trainer's measurements of its data sets, float32 or bytes (scaled per batch), synchronous
// and read back asynchronously (a GPU backend): each a few lines over evaluate.ts.

export interface Accuracies {
  trainAcc: number;
  testAcc: number;
}

/** Train and test accuracy on the first `rows` rows of each set. */
export function setAccuracies(
  model: Model,
  data: TrainerData,
  rows: number,
  options: { batchSize?: number },
): Accuracies {
  if (isByteTrainData(data)) {
    const { xTrain, tTrain, xTest, tTest, pixelScale } = data;
    const opts = { rows, ...options };
    return {
      trainAcc: byteAccuracy(model, xTrain, tTrain, pixelScale, opts),
      testAcc: byteAccuracy(model, xTest, tTest, pixelScale, opts),
    };
  }
  const [train, test] = [firstRows(data.xTrain, data.tTrain, rows), firstRows(data.xTest, data.tTest, rows)];
  return {
    trainAcc: model.accuracy(train.x, train.t, options),
    testAcc: model.accuracy(test.x, test.t, options),
  };
}

/** `setAccuracies` read back asynchronously (`model.accuracyAsync`; any backend). */
export async function setAccuraciesAsync(
  model: Model,
  data: TrainerData,
  rows: number,
  options: { batchSize?: number },
): Promise<Accuracies> {
  const accuracyAsync = model.accuracyAsync?.bind(model);
  if (accuracyAsync === undefined) return setAccuracies(model, data, rows, options);
  if (isByteTrainData(data)) {
    const { xTrain, tTrain, xTest, tTest, pixelScale } = data;
    const opts = { rows, ...options };
    return {
      trainAcc: await byteAccuracyAsync(model, xTrain, tTrain, pixelScale, opts),
      testAcc: await byteAccuracyAsync(model, xTest, tTest, pixelScale, opts),
    };
  }
  const [train, test] = [firstRows(data.xTrain, data.tTrain, rows), firstRows(data.xTest, data.tTest, rows)];
  return {
    trainAcc: await accuracyAsync(train.x, train.t, options),
    testAcc: await accuracyAsync(test.x, test.t, options),
  };
}

/** Accuracy on the whole test set. */
export function testSetAccuracy(model: Model, data: TrainerData, options: { batchSize?: number }): number {
  return isByteTrainData(data)
    ? byteAccuracy(model, data.xTest, data.tTest, data.pixelScale, options)
    : model.accuracy(data.xTest, data.tTest, options);
}

/** `testSetAccuracy` read back asynchronously (any backend). */
export function testSetAccuracyAsync(
  model: Model,
  data: TrainerData,
  options: { batchSize?: number },
): Promise<number> {
  const accuracyAsync = model.accuracyAsync?.bind(model);
  if (accuracyAsync === undefined) return Promise.resolve(testSetAccuracy(model, data, options));
  return isByteTrainData(data)
    ? byteAccuracyAsync(model, data.xTest, data.tTest, data.pixelScale, options)
    : accuracyAsync(data.xTest, data.tTest, options);
}

/** Mean loss on the whole test set, in test mode. */
export function testSetLoss(
  model: Model,
  data: TrainerData,
  options: { batchSize: number; rng: Rng },
): number {
  return isByteTrainData(data)
    ? byteDatasetLoss(model, data.xTest, data.tTest, data.pixelScale, options)
    : datasetLoss(model, data.xTest, data.tTest, options);
}

/** `testSetLoss` read back asynchronously (any backend). */
export function testSetLossAsync(
  model: Model,
  data: TrainerData,
  options: { batchSize: number; rng: Rng },
): Promise<number> {
  return isByteTrainData(data)
    ? byteDatasetLossAsync(model, data.xTest, data.tTest, data.pixelScale, options)
    : datasetLossAsync(model, data.xTest, data.tTest, options);
}

function firstRows(x: FloatTensor, t: Tensor, rows: number): { x: FloatTensor; t: Tensor } {
  return { x: rowsView(x, 0, rows), t: rowsView(t, 0, rows) };
}
