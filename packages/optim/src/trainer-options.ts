import type { Kernels, Rng, RngState, Sampling, SamplerState } from '@dl/tensor';
import type { Model } from './model.js';
import type { ByteTrainData, TrainData } from './dataset.js';
import type { Optimizer } from './optimizer.js';

/** How long to train: the book's `epochs` (default 20), or an exact number of steps. */
export type TrainLength = { epochs?: number; iterations?: never } | { iterations: number; epochs?: never };

/** Where random numbers come from (batches, Dropout): a seed (default 0) or a generator you own. */
export type TrainRandomness = { seed?: number; rng?: never } | { rng: Rng; seed?: never };

/**
 * When the per-epoch accuracies are measured. `book`: after the first step of each epoch, as
 * `common/trainer.py` does (`if current_iter % iter_per_epoch == 0`), so entry 0 is a nearly
 * untrained network and the last epoch's training shows only in the final `testAcc`.
 * `epochEnd`: after the last step of each epoch.
 */
export type EvaluateAt = 'book' | 'epochEnd';

/**
 * Which loss `trainLossList` records. `gradient`: the loss of the forward pass that computed the
 * gradient (before the update; free). `afterUpdate`: the book's `network.loss(x_batch, t_batch)`
 * after the update, in test mode (one more forward per step).
 */
export type RecordLoss = 'gradient' | 'afterUpdate';

export interface StepEvent {
  /** Steps done so far (1-based number of this step). */
  step: number;
  /** The epoch this step belongs to (1-based). */
  epoch: number;
  loss: number;
  /** Training throughput over the current epoch so far (evaluation excluded). */
  imagesPerSecond: number;
}

export interface EpochEvent {
  /** Number of evaluations so far, 1-based (the book's `current_epoch`). */
  epoch: number;
  step: number;
  trainAcc: number;
  testAcc: number;
  /** Mean training loss of the steps since the previous evaluation. */
  loss: number;
  /** Seconds since training started (evaluation included). */
  seconds: number;
  /** Training throughput since the previous evaluation (evaluation excluded). */
  imagesPerSecond: number;
}

/** What a `Trainer` trains on: float tensors, or images kept as bytes and scaled a batch at a time. */
export type TrainerData = TrainData | ByteTrainData;

export interface TrainerBaseOptions<D extends TrainerData = TrainData> {
  /** The network (`TwoLayerNet`, `MultiLayerNet`, ...): the book's `network`. */
  model: Model;
  optimizer: Optimizer;
  /**
   * The book's `x_train, t_train, x_test, t_test`. A `ByteTrainData` (images as bytes, with their
   * `pixelScale`) trains on the same float32 values at a quarter of the memory: each batch, and each
   * slice an evaluation reads (`evalBatchSize` rows, default 1000), is scaled as it is gathered.
   */
  data: D;
  /**
   * The backend every step and evaluation runs on (default: the model's, else the process default).
   * Each step's rows are copied from `data` into batches tied to it.
   */
  backend?: Kernels | undefined;
  /** The book's `mini_batch_size`, default 100. */
  batchSize?: number;
  /** Default `replacement` (the book). */
  sampling?: Sampling;
  /** Evaluate on the first N rows of each set (the book's `evaluate_sample_num_per_epoch`); default all rows. */
  evaluateSampleNumPerEpoch?: number | null;
  /** Default `book`. */
  evaluateAt?: EvaluateAt;
  /** Batch size of `model.accuracy` (memory, not results). */
  evalBatchSize?: number;
  /** Default `gradient`. */
  recordLoss?: RecordLoss;
  /** Also compute the final loss on the whole test set (`testLoss`). */
  computeTestLoss?: boolean;
  /** Stops training between steps; `train()` then resolves with `aborted: true` and what was done. */
  signal?: AbortSignal;
  /** `train()` awaits a macrotask every this many steps (default 1) so the signal, timers and UI can run; 0 never. */
  yieldEvery?: number;
  onStep?: (event: StepEvent) => void;
  /**
   * Called after each evaluation. On a backend that reads values back asynchronously (`webgpu`) a
   * promise it returns is awaited before the next step is recorded (a checkpoint reading the
   * weights back); elsewhere it must finish synchronously. (`unknown`: any callback fits.)
   */
  onEpoch?: (event: EpochEvent) => unknown;
}

/** The book's `Trainer(network, x_train, t_train, x_test, t_test, epochs, mini_batch_size, optimizer, ...)`. */
export type TrainerOptions<D extends TrainerData = TrainData> = TrainerBaseOptions<D> &
  TrainLength &
  TrainRandomness;

/** What `train()` returns: the book's `train_loss_list`, `train_acc_list`, `test_acc_list` and final `test_acc`. */
export interface TrainResult {
  trainLossList: number[];
  trainAccList: number[];
  testAccList: number[];
  /**
   * Accuracy on the whole test set after training. When aborted, no final evaluation is run: the
   * last per-epoch test accuracy instead (NaN if there was none).
   */
  testAcc: number;
  /** Mean loss on the whole test set, with `computeTestLoss` (not when aborted). */
  testLoss?: number;
  /** Steps done (the book's `current_iter`). */
  steps: number;
  /** Complete epochs done: `floor(steps / iterPerEpoch)`. */
  epochs: number;
  /** Wall-clock seconds of this `train()` call. */
  seconds: number;
  aborted: boolean;
}

/** A training run's progress, for checkpoints: with the model's weights and the optimizer's state, resumes exactly. */
export interface TrainerState {
  readonly step: number;
  readonly epoch: number;
  /** Step at which the last evaluation happened (the next epoch event averages the losses after it). */
  readonly lastEvalStep: number;
  readonly trainLossList: readonly number[];
  readonly trainAccList: readonly number[];
  readonly testAccList: readonly number[];
  readonly rng: RngState;
  readonly sampler: SamplerState;
}
