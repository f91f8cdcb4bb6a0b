import { Rng, isFloatDType, type Sampling } from '@dl/tensor';
import { checkPair, isByteTrainData } from './dataset.js';
import type { EvaluateAt, RecordLoss, TrainerData, TrainerOptions } from './trainer-options.js';

/** The trainer's settings with defaults filled in and every value checked. */
export interface TrainerConfig {
  trainSize: number;
  batchSize: number;
  iterPerEpoch: number;
  maxIter: number;
  rng: Rng;
  sampling: Sampling;
  evaluateAt: EvaluateAt;
  recordLoss: RecordLoss;
  /** Rows evaluated per epoch (Infinity: all). */
  evaluateSampleNum: number;
  evalBatchSize: number | undefined;
  yieldEvery: number;
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value <= 0)
    throw new RangeError(`Trainer: ${name} must be an integer > 0, got ${value}`);
  return value;
}

function oneOf<T extends string>(name: string, value: T, allowed: readonly T[]): T {
  if (!allowed.includes(value)) {
    throw new TypeError(
      `Trainer: ${name} must be ${allowed.map((a) => `'${a}'`).join(' or ')}, got '${String(value)}'`,
    );
  }
  return value;
}

export function resolveTrainerConfig(options: TrainerOptions<TrainerData>): TrainerConfig {
  const { data } = options;
  const trainSize = checkPair('Trainer', data.xTrain, data.tTrain, 'xTrain and tTrain');
  checkPair('Trainer', data.xTest, data.tTest, 'xTest and tTest');
  if (trainSize === 0) throw new RangeError('Trainer: the training set is empty');
  if (isByteTrainData(data)) {
    for (const [name, x] of [
      ['xTrain', data.xTrain],
      ['xTest', data.xTest],
    ] as const) {
      if (x.dtype !== 'uint8')
        throw new TypeError(`Trainer: with pixelScale, ${name} must be uint8 bytes, got ${String(x.dtype)}`);
    }
    if (!(data.pixelScale > 0 && Number.isFinite(data.pixelScale)))
      throw new RangeError(`Trainer: pixelScale must be a finite number > 0, got ${data.pixelScale}`);
  } else if (!isFloatDType(data.xTrain.dtype))
    throw new TypeError(`Trainer: xTrain must be float32 or float64, got ${String(data.xTrain.dtype)}`);
  const batchSize = positiveInteger('batchSize', options.batchSize ?? 100);
  if (options.epochs !== undefined && options.iterations !== undefined) {
    throw new TypeError('Trainer: give epochs or iterations, not both');
  }
  let maxIter: number;
  if (options.iterations !== undefined) {
    if (!Number.isInteger(options.iterations) || options.iterations < 0) {
      throw new RangeError(`Trainer: iterations must be an integer >= 0, got ${options.iterations}`);
    }
    maxIter = options.iterations;
  } else {
    const epochs = options.epochs ?? 20;
    if (!(epochs > 0 && Number.isFinite(epochs)))
      throw new RangeError(`Trainer: epochs must be a finite number > 0, got ${epochs}`);
    // The book's int(epochs * (train_size / batch_size)), with the division last so whole epochs stay exact.
    maxIter = trainSize >= batchSize ? Math.floor((epochs * trainSize) / batchSize) : Math.floor(epochs);
  }
  if (options.seed !== undefined && options.rng !== undefined)
    throw new TypeError('Trainer: give seed or rng, not both');
  const sample = options.evaluateSampleNumPerEpoch ?? null;
  const yieldEvery = options.yieldEvery ?? 1;
  if (!Number.isInteger(yieldEvery) || yieldEvery < 0) {
    throw new RangeError(`Trainer: yieldEvery must be an integer >= 0, got ${yieldEvery}`);
  }
  return {
    trainSize,
    batchSize,
    iterPerEpoch: Math.max(trainSize / batchSize, 1),
    maxIter,
    rng: options.rng ?? new Rng(options.seed ?? 0),
    sampling: oneOf('sampling', options.sampling ?? 'replacement', ['replacement', 'shuffle']),
    evaluateAt: oneOf('evaluateAt', options.evaluateAt ?? 'book', ['book', 'epochEnd']),
    recordLoss: oneOf('recordLoss', options.recordLoss ?? 'gradient', ['gradient', 'afterUpdate']),
    evaluateSampleNum: sample === null ? Infinity : positiveInteger('evaluateSampleNumPerEpoch', sample),
    evalBatchSize:
      options.evalBatchSize === undefined
        ? undefined
        : positiveInteger('evalBatchSize', options.evalBatchSize),
    yieldEvery,
  };
}
