import {
  BatchSampler,
  gatherRows,
  isDeviceResident,
  onBackend,
  rowsBuffer,
  stepScope,
  type Kernels,
  type Rng,
  type Tensor,
} from '@dl/tensor';
import type { FloatTensor, Model } from './model.js';
import { gatherScaledRows, scaledRowsBuffer } from './byte-images.js';
import { isByteTrainData, type TrainData } from './dataset.js';
import {
  setAccuracies,
  setAccuraciesAsync,
  testSetAccuracy,
  testSetAccuracyAsync,
  testSetLoss,
  testSetLossAsync,
  type Accuracies,
} from './trainer-evaluate.js';
import { NonFiniteError, findNonFinite, findNonFiniteAsync } from './non-finite.js';
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
  /** The backend reads values back asynchronously (`webgpu`): `train` runs `recordStep`/`book`. */
  private readonly deviceResident: boolean;
  // Batches are gathered into the same two tensors every step.
  private readonly xBatch: FloatTensor;
  private readonly tBatch: Tensor;
  private lastEvalStep = 0;
  private readonly started = performance.now();
  /** When the last recorded step was booked (`book`; GPU backends). */
  private lastBooked = 0;
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
    // Each step copies its rows into these (bytes scaled as they go), tied to the trainer's
    // backend; on a GPU they stay on the CPU and the network moves each batch up once.
    this.deviceResident = isDeviceResident(this.backend);
    const data: TrainerData = this.data;
    [this.xBatch, this.tBatch] = onBackend(this.deviceResident ? undefined : this.backend, () => [
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
    if (this.deviceResident) {
      throw new Error(
        `Trainer.trainStep: the ${this.backend!.name} backend reads the loss back asynchronously; use \`await trainer.train()\``,
      );
    }
    // One step scope: what the step allocates on a backend with its own storage is released at its end.
    return onBackend(this.backend, () => stepScope(() => this.step()));
  }

  private step(): number {
    const t0 = performance.now();
    const { rng, batchSize } = this.config;
    const s = this.currentIter;
    const epoch = this.epochOfStep(s);
    const [x, t] = this.nextBatch();
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

  /** The next mini-batch, gathered into the trainer's two batch tensors (bytes scaled as they go). */
  private nextBatch(): [FloatTensor, Tensor] {
    const indices = this.sampler.next();
    const data: TrainerData = this.data;
    const x = isByteTrainData(data)
      ? gatherScaledRows(data.xTrain, indices, data.pixelScale, this.xBatch as Tensor<'float32'>)
      : gatherRows(data.xTrain, indices, this.xBatch);
    return [x, gatherRows(data.tTrain, indices, this.tBatch)];
  }

  private rate(images: number): number {
    return this.epochTrainMs > 0 ? (images * 1000) / this.epochTrainMs : 0;
  }

  private accuracyOptions(): { batchSize?: number } {
    const { evalBatchSize } = this.config;
    return evalBatchSize === undefined ? {} : { batchSize: evalBatchSize };
  }

  /** Train and test accuracy on the first `evaluateSampleNumPerEpoch` rows of each set (all rows by default). */
  evaluate(): Accuracies {
    const { model, data, config } = this;
    return onBackend(this.backend, () =>
      setAccuracies(model, data, config.evaluateSampleNum, this.accuracyOptions()),
    );
  }

  private evaluateEpoch(): void {
    const { trainAcc, testAcc } = this.evaluate();
    void this.recordEvaluation(trainAcc, testAcc);
  }

  private async evaluateEpochAsync(): Promise<void> {
    const { trainAcc, testAcc } = await this.evaluateAsync();
    await this.recordEvaluation(trainAcc, testAcc);
  }

  private recordEvaluation(trainAcc: number, testAcc: number): Promise<void> | undefined {
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
    // A promise it returns is awaited on a GPU (`book`).
    const returned: unknown = this.options.onEpoch?.({
      epoch: this.currentEpoch,
      step: this.currentIter,
      trainAcc,
      testAcc,
      loss: sum / Math.max(steps, 1),
      seconds: (performance.now() - this.started) / 1000,
      imagesPerSecond,
    });
    return returned instanceof Promise ? (returned as Promise<void>) : undefined;
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
    if (this.deviceResident) await this.trainRecorded(maxIter, signal);
    while (this.currentIter < maxIter && !signal?.aborted) {
      this.trainStep();
      if (yieldEvery > 0 && this.currentIter % yieldEvery === 0) await yieldToEventLoop();
    }
    const aborted = signal?.aborted === true;
    const result: TrainResult = {
      trainLossList: this.trainLossList,
      trainAccList: this.trainAccList,
      testAccList: this.testAccList,
      testAcc: aborted
        ? (this.testAccList.at(-1) ?? Number.NaN)
        : this.deviceResident
          ? await this.testAccuracyAsync()
          : this.testAccuracy(),
      steps: this.currentIter,
      epochs: Math.floor(this.currentIter / iterPerEpoch),
      seconds: 0,
      aborted,
    };
    if (!aborted && this.options.computeTestLoss)
      result.testLoss = this.deviceResident ? await this.testLossAsync() : this.testLoss();
    result.seconds = (performance.now() - begin) / 1000;
    return result;
  }

  /**
   * `train`'s loop on a backend that reads values back asynchronously (`webgpu`), with a one-step
   * lag: step s+1 is recorded while step s's loss is read back, so the GPU never waits for the CPU.
   * Losses are booked (`trainLossList`, `onStep`, the NaN check) in order as they arrive; a step an
   * evaluation follows is booked, evaluation included, before the next is recorded, so accuracies
   * see the weights of the book's loop.
   */
  private async trainRecorded(maxIter: number, signal: AbortSignal | undefined): Promise<void> {
    let booked: Promise<void> = Promise.resolve();
    let lagging = false;
    for (let s = this.currentIter; s < maxIter && !signal?.aborted; s++) {
      const step = this.recordStep(s);
      const previous = booked;
      booked = Promise.all([previous, step.loss]).then(([, loss]) => this.book(step, loss));
      // A failure is awaited below (in order); until then, keep Node from calling it unhandled.
      booked.catch(() => undefined);
      // Wait for the step before this one: at most one step is in flight behind the recording.
      if (lagging) await previous;
      lagging = !step.evaluate;
      if (step.evaluate) await booked;
    }
    await booked;
  }

  /** Records step `s` on the GPU (batch, gradient, update); its loss arrives later. */
  private recordStep(s: number): RecordedStep {
    const t0 = performance.now();
    const { rng } = this.config;
    const epoch = this.epochOfStep(s);
    const [x, t] = this.nextBatch();
    const model = this.model;
    if (model.gradientAsync === undefined || model.lossAsync === undefined) {
      throw new Error(
        `Trainer: the model has no gradientAsync/lossAsync, which the ${this.backend!.name} backend needs`,
      );
    }
    const loss = onBackend(this.backend, () =>
      stepScope(() => {
        const before = model.gradientAsync!(x, t, { train: true, rng });
        // A GPU failure that the update throws rejects this too: handled, never an unhandled rejection.
        before.catch(() => undefined);
        this.optimizer.update(model.params());
        if (this.config.recordLoss !== 'afterUpdate') return before;
        // Recorded now, behind the update (x is overwritten by the next step's batch).
        const after = model.lossAsync!(x, t, { train: false, rng });
        return Promise.all([before, after]).then(([, loss]) => loss);
      }),
    );
    const evaluate =
      this.config.evaluateAt === 'book'
        ? s === this.epochBoundary(epoch - 1)
        : s + 1 === this.epochBoundary(epoch);
    return { s, epoch, t0, loss, evaluate, x };
  }

  /** Books a recorded step once its loss is read: the NaN check, the loss list, `onStep`, evaluation. */
  private async book(step: RecordedStep, loss: number): Promise<void> {
    const { s, epoch } = step;
    if (!Number.isFinite(loss)) {
      const source = await findNonFiniteAsync(this.model.params(), step.x);
      throw new NonFiniteError(s + 1, epoch, loss, source, this.optimizer.lr);
    }
    this.trainLossList.push(loss);
    this.currentIter = s + 1;
    // Wall time from recording to booking overlaps the next step's: count each step from the later
    // of its recording and the previous booking.
    const now = performance.now();
    this.epochTrainMs += now - Math.max(step.t0, this.lastBooked);
    this.lastBooked = now;
    const images = (this.currentIter - this.timedFrom) * this.config.batchSize;
    this.options.onStep?.({ step: this.currentIter, epoch, loss, imagesPerSecond: this.rate(images) });
    if (step.evaluate) await this.evaluateEpochAsync();
  }

  /** `evaluate`, read back asynchronously (any backend). */
  evaluateAsync(): Promise<Accuracies> {
    const { model, data, config } = this;
    return setAccuraciesAsync(model, data, config.evaluateSampleNum, this.accuracyOptions());
  }

  /** Accuracy on the whole test set. */
  testAccuracy(): number {
    return onBackend(this.backend, () => testSetAccuracy(this.model, this.data, this.accuracyOptions()));
  }

  /** `testAccuracy`, read back asynchronously (any backend). */
  testAccuracyAsync(): Promise<number> {
    return testSetAccuracyAsync(this.model, this.data, this.accuracyOptions());
  }

  /** `testLoss`, read back asynchronously (any backend). */
  testLossAsync(): Promise<number> {
    return testSetLossAsync(this.model, this.data, this.lossOptions());
  }

  private lossOptions(): { batchSize: number; rng: Rng } {
    return { batchSize: this.config.evalBatchSize ?? 1000, rng: this.config.rng };
  }

  /** Mean loss on the whole test set, in test mode. */
  testLoss(): number {
    return onBackend(this.backend, () => testSetLoss(this.model, this.data, this.lossOptions()));
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

/** A step recorded on a GPU, waiting for its loss (`Trainer.recordStep`). */
interface RecordedStep {
  readonly s: number;
  readonly epoch: number;
  readonly t0: number;
  readonly loss: Promise<number>;
  /** An evaluation follows this step. */
  readonly evaluate: boolean;
  readonly x: FloatTensor;
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
