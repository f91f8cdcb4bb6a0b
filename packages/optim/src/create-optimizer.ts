import type { Kernels } from '@dl/tensor';
import { AdaGrad } from './adagrad.js';
import { Adam } from './adam.js';
import { Momentum } from './momentum.js';
import { Nesterov } from './nesterov.js';
import {
  OPTIMIZER_NAMES,
  type Optimizer,
  type OptimizerName,
  type OptimizerOptions,
  type OptimizerState,
} from './optimizer.js';
import { RMSprop } from './rmsprop.js';
import { SGD } from './sgd.js';

const CONSTRUCTORS: { readonly [K in OptimizerName]: new (options?: OptimizerOptions<K>) => Optimizer<K> } = {
  sgd: SGD,
  momentum: Momentum,
  nesterov: Nesterov,
  adagrad: AdaGrad,
  rmsprop: RMSprop,
  adam: Adam,
};

/** True when `name` is one of the optimizer names `createOptimizer` accepts. */
export function isOptimizerName(name: string): name is OptimizerName {
  return (OPTIMIZER_NAMES as readonly string[]).includes(name);
}

/**
 * An optimizer by name, like the book's `Trainer(optimizer='adam', optimizer_param={'lr': 0.001})`:
 * `createOptimizer('momentum', { lr: 0.1 })`. Omitted hyper-parameters take the book's defaults.
 */
export function createOptimizer<K extends OptimizerName>(
  name: K,
  options: OptimizerOptions<K> = {},
): Optimizer<K> {
  // Names from a CLI or a checkpoint are plain strings at run time: say which ones exist.
  if (typeof name !== 'string' || !isOptimizerName(name)) {
    throw new TypeError(
      `createOptimizer: unknown optimizer '${String(name)}' (known: ${OPTIMIZER_NAMES.join(', ')})`,
    );
  }
  const Ctor: new (options?: OptimizerOptions<K>) => Optimizer<K> = CONSTRUCTORS[name];
  return new Ctor(options);
}

/** A new optimizer of the state's kind that continues exactly where the saved one stopped. */
export function createOptimizerFromState<K extends OptimizerName>(
  state: OptimizerState<K>,
  options: { backend?: Kernels } = {},
): Optimizer<K> {
  const optimizer = createOptimizer(
    state.kind,
    (options.backend === undefined ? {} : { backend: options.backend }) as OptimizerOptions<K>,
  );
  optimizer.setState(state as unknown as OptimizerState);
  return optimizer;
}
