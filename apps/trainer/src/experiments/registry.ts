import { activationsExperiment } from './activations.js';
import { batchNormExperiment } from './batch-norm.js';
import type { Experiment } from './context.js';
import { gradientDescentExperiment } from './gradient-descent.js';
import { hyperparamsExperiment } from './hyperparams.js';
import { optimizersExperiment } from './optimizers.js';
import { filtersExperiment } from './filters.js';
import { misclassifiedExperiment } from './misclassified.js';
import { precisionExperiment } from './precision.js';
import { dropoutExperiment, overfitExperiment, weightDecayExperiment } from './overfit.js';
import { weightInitExperiment } from './weight-init.js';

/** Every `dl experiment NAME`, in the book's order. */
export const EXPERIMENTS: readonly Experiment[] = [
  activationsExperiment,
  gradientDescentExperiment,
  optimizersExperiment,
  weightInitExperiment,
  batchNormExperiment,
  overfitExperiment,
  weightDecayExperiment,
  dropoutExperiment,
  hyperparamsExperiment,
  filtersExperiment,
  misclassifiedExperiment,
  precisionExperiment,
];
