import {
  BatchSampler,
  gatherRows,
  onBackend,
  rowsBuffer,
  stepScope,
  type Kernels,
  type Tensor,
} from '@dl/tensor';
import type { FloatTensor, Model } from './model.js';
import { gatherScaledRows, scaledRowsBuffer } from './byte-images.js';
import { isByteTrainData, rowsView, type TrainData } from './dataset.js';
import { byteAccuracy, byteDatasetLoss, datasetLoss } from './evaluate.js';
import { NonFiniteError, findNonFinite } from './non-finite.js';
import type { Optimizer } from './optimizer.js';
import { resolveTrainerConfig, type TrainerConfig } from './trainer-config.js';
import type { TrainResult, TrainerData, TrainerOptions, TrainerState } from './trainer-options.js';
import { yieldToEventLoop } from './yield.js';

/**
 * The book's `common/trainer.py`: draws mini-batches, computes gradients, lets the optimizer
 * update, records the loss, and measures train/test accuracy once per epoch. An epoch is
 * `max(trainSize / batchSize, 1)` steps. `trainStep()` runs one step synchronously; `train()` runs
 * to the end, yielding to the event loop so an `AbortSignal` can stop it between steps.
 */
export class Trainer<D extends TrainerData = TrainData> {
  readonly model: Model;
  readonly optimizer: Optimizer;
  readonly data: D;
  readonly config: Readonly<TrainerConfig>;
  /** The backend every step and evaluation runs on (`TrainerOptions.backend`; else the model's). */
  readonly backend: Kernels | undefined;
  /** The book's `current_iter`: steps done. */
  currentIter = 0;
  /** The book's `current_epoch`: evaluations done. */
  currentEpoch = 0;
  trainLossList: number[] = [];
  trainAccList: number[] = [];
  testAccList: number[] = [];

  private readonly sampler: BatchSampler;
  // Batches are gathered into the same two tensors every step.
  private readonly xBatch: FloatTensor;
  private readonly tBatch: Tensor;
  private lastEvalStep = 0;
  private readonly started = performance.now();
  private epochTrainMs = 0;
  /** The step `epochTrainMs` counts from: the last evaluation, or where a resumed run restarted. */
  private timedFrom = 0;

  constructor(private readonly options: TrainerOptions<D>) {
    this.model = options.model;
    this.optimizer = options.optimizer;
    this.data = options.data;
    this.config = resolveTrainerConfig(options);
    this.backend = trainerBackend(options.backend, options.model.backend);
    const { sampling, trainSize, batchSize, rng } = this.config;
    this.sampler = new BatchSampler(sampling, trainSize, batchSize, rng);
    // Each step copies its rows into these, tied to the trainer's backend (bytes scaled as they go).
    const data: TrainerData = this.data;
    [this.xBatch, this.tBatch] = onBackend(this.backend, () => [
      isByteTrainData(data) ? scaledRowsBuffer(data.xTrain, batchSize) : rowsBuffer(data.xTrain, batchSize),
      rowsBuffer(data.tTrain, batchSize),
    ]);
  }

  /** Steps done when epoch `k` ends: `ceil(k * trainSize / batchSize)`, or `k` when a batch is larger than the set. */
  epochBoundary(k: number): number {
    const { trainSize, batchSize } = this.config;
    return trainSize >= batchSize ? Math.ceil((k * trainSize) / batchSize) : k;
  }

  /** The 1-based epoch of the step with 0-based index `s`. */
  epochOfStep(s: number): number {
    const { trainSize, batchSize } = this.config;
    return trainSize >= batchSize ? Math.floor((s * batchSize) / trainSize) + 1 : s + 1;
  }

  /** One step (the book's `train_step`): batch, gradient, update, record; evaluates when an epoch is due. Returns the loss. */
  trainStep(): number {
    // One step scope: what the step allocates on a backend with its own storage is released at its end.
    return onBackend(this.backend, () => stepScope(() => this.step()));
  }

  private step(): number {
    const t0 = performance.now();
    const { rng, batchSize } = this.config;
    const s = this.currentIter;
    const epoch = this.epochOfStep(s);
    const indices = this.sampler.next();
    const data: TrainerData = this.data;
    const x = isByteTrainData(data)
      ? gatherScaledRows(data.xTrain, indices, data.pixelScale, this.xBatch as Tensor<'float32'>)
      : gatherRows(data.xTrain, indices, this.xBatch);
    const t = gatherRows(data.tTrain, indices, this.tBatch);
    let loss = this.model.gradient(x, t, { train: true, rng });
    const params = this.model.params();
    // Checked before the update, so the weights stay as they were when the loss went bad.
    if (!Number.isFinite(loss))
      throw new NonFiniteError(s + 1, epoch, loss, findNonFinite(params, x), this.optimizer.lr);
    this.optimizer.update(params);
    if (this.config.recordLoss === 'afterUpdate') loss = this.model.loss(x, t, { train: false, rng });
    this.trainLossList.push(loss);
    this.currentIter = s + 1;
    this.epochTrainMs += performance.now() - t0;
    const images = (this.currentIter - this.timedFrom) * batchSize;
    this.options.onStep?.({ step: this.currentIter, epoch, loss, imagesPerSecond: this.rate(images) });
    const due =
      this.config.evaluateAt === 'book'
        ? s === this.epochBoundary(epoch - 1)
        : this.currentIter === this.epochBoundary(epoch);
    if (due) this.evaluateEpoch();
    return loss;
  }

  private rate(images: number): number {
    return this.epochTrainMs > 0 ? (images * 1000) / this.epochTrainMs : 0;
  }

  private accuracyOptions(): { batchSize?: number } {
    const { evalBatchSize } = this.config;
    return evalBatchSize === undefined ? {} : { batchSize: evalBatchSize };
  }

  /** Train and test accuracy on the first `evaluateSampleNumPerEpoch` rows of each set (all rows by default). */
  evaluate(): { trainAcc: number; testAcc: number } {
    const n = this.config.evaluateSampleNum;
    const data: TrainerData = this.data;
    if (isByteTrainData(data)) {
      const { xTrain, tTrain, xTest, tTest, pixelScale } = data;
      const options = { rows: n, ...this.accuracyOptions() };
      return onBackend(this.backend, () => ({
        trainAcc: byteAccuracy(this.model, xTrain, tTrain, pixelScale, options),
        testAcc: byteAccuracy(this.model, xTest, tTest, pixelScale, options),
      }));
    }
    const { xTrain, tTrain, xTest, tTest } = data;
    return onBackend(this.backend, () => ({
      trainAcc: this.model.accuracy(rowsView(xTrain, 0, n), rowsView(tTrain, 0, n), this.accuracyOptions()),
      testAcc: this.model.accuracy(rowsView(xTest, 0, n), rowsView(tTest, 0, n), this.accuracyOptions()),
    }));
  }

  private evaluateEpoch(): void {
    const { trainAcc, testAcc } = this.evaluate();
    this.trainAccList.push(trainAcc);
    this.testAccList.push(testAcc);
    this.currentEpoch += 1;
    const steps = this.currentIter - this.lastEvalStep;
    let sum = 0;
    for (let i = this.lastEvalStep; i < this.currentIter; i++) sum += this.trainLossList[i]!;
    const imagesPerSecond = this.rate((this.currentIter - this.timedFrom) * this.config.batchSize);
    this.lastEvalStep = this.currentIter;
    this.timedFrom = this.currentIter;
    this.epochTrainMs = 0;
    this.options.onEpoch?.({
      epoch: this.currentEpoch,
      step: this.currentIter,
      trainAcc,
      testAcc,
      loss: sum / Math.max(steps, 1),
      seconds: (performance.now() - this.started) / 1000,
      imagesPerSecond,
    });
  }

  /**
   * Runs the remaining steps up to `maxIter`, then measures the whole test set (the book's `train`).
   * If the signal fires (checked before each step) it resolves early with `aborted: true`, the
   * lists so far and no final evaluation; it rejects with `NonFiniteError` if the loss becomes
   * NaN/Inf (the trainer's lists then hold the steps before it).
   */
  async train(): Promise<TrainResult> {
    const begin = performance.now();
    const { signal } = this.options;
    const { maxIter, yieldEvery, iterPerEpoch } = this.config;
    while (this.currentIter < maxIter && !signal?.aborted) {
      this.trainStep();
      if (yieldEvery > 0 && this.currentIter % yieldEvery === 0) await yieldToEventLoop();
    }
    const aborted = signal?.aborted === true;
    const result: TrainResult = {
      trainLossList: this.trainLossList,
      trainAccList: this.trainAccList,
      testAccList: this.testAccList,
      testAcc: aborted ? (this.testAccList.at(-1) ?? Number.NaN) : this.testAccuracy(),
      steps: this.currentIter,
      epochs: Math.floor(this.currentIter / iterPerEpoch),
      seconds: 0,
      aborted,
    };
    if (!aborted && this.options.computeTestLoss) result.testLoss = this.testLoss();
    result.seconds = (performance.now() - begin) / 1000;
    return result;
  }

  /** Accuracy on the whole test set. */
  testAccuracy(): number {
    const data: TrainerData = this.data;
    return onBackend(this.backend, () =>
      isByteTrainData(data)
        ? byteAccuracy(this.model, data.xTest, data.tTest, data.pixelScale, this.accuracyOptions())
        : this.model.accuracy(data.xTest, data.tTest, this.accuracyOptions()),
    );
  }

  /** Mean loss on the whole test set, in test mode. */
  testLoss(): number {
    const { evalBatchSize, rng } = this.config;
    const data: TrainerData = this.data;
    const options = { batchSize: evalBatchSize ?? 1000, rng };
    return onBackend(this.backend, () =>
      isByteTrainData(data)
        ? byteDatasetLoss(this.model, data.xTest, data.tTest, data.pixelScale, options)
        : datasetLoss(this.model, data.xTest, data.tTest, options),
    );
  }

  getState(): TrainerState {
    return {
      step: this.currentIter,
      epoch: this.currentEpoch,
      lastEvalStep: this.lastEvalStep,
      trainLossList: [...this.trainLossList],
      trainAccList: [...this.trainAccList],
      testAccList: [...this.testAccList],
      rng: this.config.rng.getState(),
      sampler: this.sampler.getState(),
    };
  }

  /** Restores progress saved by `getState`; the model's weights and the optimizer are restored separately. */
  setState(state: TrainerState): void {
    const { step, lastEvalStep } = state;
    if (
      !Number.isInteger(step) ||
      step < 0 ||
      !Number.isInteger(lastEvalStep) ||
      lastEvalStep < 0 ||
      lastEvalStep > step
    ) {
      throw new RangeError(`Trainer.setState: invalid step ${step} / lastEvalStep ${lastEvalStep}`);
    }
    if (state.trainLossList.length !== step) {
      throw new RangeError(
        `Trainer.setState: ${state.trainLossList.length} recorded losses for ${step} steps`,
      );
    }
    this.sampler.setState(state.sampler);
    this.config.rng.setState(state.rng);
    this.currentIter = step;
    this.currentEpoch = state.epoch;
    this.lastEvalStep = lastEvalStep;
    // Steps before the restart took unknown time: the rate counts from here.
    this.timedFrom = step;
    this.trainLossList = [...state.trainLossList];
    this.trainAccList = [...state.trainAccList];
    this.testAccList = [...state.testAccList];
  }
}

/** Trains `options.model` with the book's loop and resolves with the recorded lists (see `Trainer`). */
export function train<D extends TrainerData = TrainData>(options: TrainerOptions<D>): Promise<TrainResult> {
  return new Trainer<D>(options).train();
}

/** The trainer's backend: the one asked for, else the model's; the two must agree. */
function trainerBackend(asked: Kernels | undefined, model: Kernels | undefined): Kernels | undefined {
  if (asked !== undefined && model !== undefined && asked !== model) {
    throw new Error(
      `Trainer: the model runs on the ${model.name} backend, the trainer was given ${asked.name}; give both the same backend`,
    );
  }
  return asked ?? model;
}
