/**
 * @dl/optim — chapter 6 of *Deep Learning from Scratch*: the optimizers of `common/optimizer.py`
 * (SGD, Momentum, Nesterov, AdaGrad, RMSprop, Adam), their saved state for checkpoints, the
 * training loop of `common/trainer.py`, and the random hyper-parameter search of
 * `ch06/hyperparameter_optimization.py`.
 */
export {
  OPTIMIZER_NAMES,
  SLOT_NAMES,
  type AdamVariant,
  type Optimizer,
  type OptimizerHyperMap,
  type OptimizerName,
  type OptimizerOptions,
  type OptimizerSlotMap,
  type OptimizerState,
  type SlotTensor,
} from './optimizer.js';
export type { FloatTensor, ForwardContext, Model, Param } from './model.js';
export { OPTIMIZER_CLASS_NAMES, resolveHyper } from './hyper.js';
export { BaseOptimizer } from './base-optimizer.js';
export { SGD, sgdUpdate } from './sgd.js';
export { Momentum, momentumUpdate } from './momentum.js';
export { Nesterov, nesterovUpdate } from './nesterov.js';
export { AdaGrad, adagradUpdate } from './adagrad.js';
export { RMSprop, rmspropUpdate } from './rmsprop.js';
export { Adam, adamUpdate } from './adam.js';
export { createOptimizer, createOptimizerFromState, isOptimizerName } from './create-optimizer.js';
export { OPTIMIZER_DEFAULTS } from './optimizer-defaults.js';
export {
  optimizerStateFromTensors,
  optimizerStateToTensors,
  type FlatOptimizerState,
  type OptimizerStateHeader,
} from './optimizer-state.js';
export {
  bookOptimizerCompare,
  optimizePath,
  type OptimizePathResult,
  type PointFunction,
  type PointGradient,
} from './optimize-path.js';
export {
  checkPair,
  isByteTrainData,
  rowsView,
  shuffleDataset,
  splitValidation,
  type ByteTrainData,
  type TrainData,
  type ValidationSplit,
} from './dataset.js';
// The mini-batch sampler lives in @dl/tensor (data-mnist draws through it too); re-exported here,
// where the Trainer's users have always found it.
export { BatchSampler, gatherRows, rowsBuffer, type Sampling, type SamplerState } from '@dl/tensor';
export { NonFiniteError, findNonFinite, findNonFiniteAsync, type NonFiniteSource } from './non-finite.js';
export {
  BYTE_EVAL_ROWS,
  byteAccuracy,
  byteAccuracyAsync,
  byteDatasetLoss,
  byteDatasetLossAsync,
  datasetLoss,
  datasetLossAsync,
} from './evaluate.js';
export { byteScaleTable, gatherScaledRows, scaledRows, scaledRowsBuffer } from './byte-images.js';
export { yieldToEventLoop } from './yield.js';
export type {
  EpochEvent,
  EvaluateAt,
  RecordLoss,
  StepEvent,
  TrainLength,
  TrainRandomness,
  TrainResult,
  TrainerBaseOptions,
  TrainerData,
  TrainerOptions,
  TrainerState,
} from './trainer-options.js';
export type { TrainerConfig } from './trainer-config.js';
export { Trainer, train } from './trainer.js';
export type { Accuracies } from './trainer-evaluate.js';
export {
  logUniform,
  randomSearch,
  sampleBookHyper,
  type BookHyper,
  type RandomSearchOptions,
  type Trial,
  type TrialOutcome,
} from './random-search.js';
