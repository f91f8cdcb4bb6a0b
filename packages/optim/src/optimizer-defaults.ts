import type { OptimizerHyperMap, OptimizerName } from './optimizer.js';

/**
 * The book's default hyper-parameters of each optimizer (`common/optimizer.py`): what
 * `createOptimizer(name)` and each constructor use for an option left out. One table, so a CLI or a
 * UI can show or pick a default without building an optimizer. `eps` is the `1e-7` the book adds
 * outside the square root; Adam's `variant: 'book'` folds the bias correction into the step size.
 */
export const OPTIMIZER_DEFAULTS: { readonly [K in OptimizerName]: Readonly<OptimizerHyperMap[K]> } = {
  sgd: { lr: 0.01 },
  momentum: { lr: 0.01, momentum: 0.9 },
  nesterov: { lr: 0.01, momentum: 0.9 },
  adagrad: { lr: 0.01, eps: 1e-7 },
  rmsprop: { lr: 0.01, decayRate: 0.99, eps: 1e-7 },
  adam: { lr: 0.001, beta1: 0.9, beta2: 0.999, eps: 1e-7, variant: 'book' },
};
