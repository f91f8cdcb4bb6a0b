import type { OptimizerHyperMap, OptimizerName, OptimizerOptions } from './optimizer.js';

/** The class names the book uses, for error messages and docs. */
export const OPTIMIZER_CLASS_NAMES: { readonly [K in OptimizerName]: string } = {
  sgd: 'SGD',
  momentum: 'Momentum',
  nesterov: 'Nesterov',
  adagrad: 'AdaGrad',
  rmsprop: 'RMSprop',
  adam: 'Adam',
};

type Range = 'nonNegative' | 'positive' | 'unit';
const RANGE_TEXT: Record<Range, string> = {
  nonNegative: 'a finite number >= 0',
  positive: 'a finite number > 0',
  unit: 'a number in [0, 1)',
};

function check(op: string, name: string, value: unknown, range: Range): number {
  const ok =
    typeof value === 'number' &&
    Number.isFinite(value) &&
    (range === 'positive' ? value > 0 : value >= 0) &&
    (range !== 'unit' || value < 1);
  if (!ok) throw new RangeError(`${op}: ${name} must be ${RANGE_TEXT[range]}, got ${String(value)}`);
  return value;
}

/** Options read from JSON (a CLI flag, a checkpoint) may carry typos: name them instead of ignoring them. */
function checkKeys(op: string, options: object, known: readonly string[]): void {
  for (const key of Object.keys(options)) {
    if (!known.includes(key))
      throw new TypeError(`${op}: unknown option '${key}' (known: ${known.join(', ')})`);
  }
}

type Resolver<K extends OptimizerName> = (op: string, o: OptimizerOptions<K>) => OptimizerHyperMap[K];

// The book's defaults (common/optimizer.py); eps is the `1e-7` the book adds outside the square root.
const RESOLVERS: { readonly [K in OptimizerName]: Resolver<K> } = {
  sgd: (op, o) => {
    checkKeys(op, o, ['lr']);
    return { lr: check(op, 'lr', o.lr ?? 0.01, 'nonNegative') };
  },
  momentum: (op, o) => {
    checkKeys(op, o, ['lr', 'momentum']);
    return {
      lr: check(op, 'lr', o.lr ?? 0.01, 'nonNegative'),
      momentum: check(op, 'momentum', o.momentum ?? 0.9, 'unit'),
    };
  },
  nesterov: (op, o) => {
    checkKeys(op, o, ['lr', 'momentum']);
    return {
      lr: check(op, 'lr', o.lr ?? 0.01, 'nonNegative'),
      momentum: check(op, 'momentum', o.momentum ?? 0.9, 'unit'),
    };
  },
  adagrad: (op, o) => {
    checkKeys(op, o, ['lr', 'eps']);
    return {
      lr: check(op, 'lr', o.lr ?? 0.01, 'nonNegative'),
      eps: check(op, 'eps', o.eps ?? 1e-7, 'positive'),
    };
  },
  rmsprop: (op, o) => {
    checkKeys(op, o, ['lr', 'decayRate', 'eps']);
    return {
      lr: check(op, 'lr', o.lr ?? 0.01, 'nonNegative'),
      decayRate: check(op, 'decayRate', o.decayRate ?? 0.99, 'unit'),
      eps: check(op, 'eps', o.eps ?? 1e-7, 'positive'),
    };
  },
  adam: (op, o) => {
    checkKeys(op, o, ['lr', 'beta1', 'beta2', 'eps', 'variant']);
    const variant = o.variant ?? 'book';
    if (variant !== 'book' && variant !== 'standard') {
      throw new TypeError(`${op}: variant must be 'book' or 'standard', got '${String(variant)}'`);
    }
    return {
      lr: check(op, 'lr', o.lr ?? 0.001, 'nonNegative'),
      beta1: check(op, 'beta1', o.beta1 ?? 0.9, 'unit'),
      beta2: check(op, 'beta2', o.beta2 ?? 0.999, 'unit'),
      // The book adds 1e-7; Kingma & Ba (and PyTorch) use 1e-8.
      eps: check(op, 'eps', o.eps ?? (variant === 'book' ? 1e-7 : 1e-8), 'positive'),
      variant,
    };
  },
};

/** Fills in the book's defaults and validates every hyper-parameter (throws a RangeError naming it). */
export function resolveHyper<K extends OptimizerName>(
  kind: K,
  options: OptimizerOptions<K>,
  op?: string,
): OptimizerHyperMap[K] {
  const resolver: Resolver<K> = RESOLVERS[kind];
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`${op ?? OPTIMIZER_CLASS_NAMES[kind]}: options must be an object`);
  }
  return resolver(op ?? OPTIMIZER_CLASS_NAMES[kind], options);
}

/** Validates a learning rate set between updates. */
export function checkLearningRate(op: string, lr: unknown): number {
  return check(op, 'lr', lr, 'nonNegative');
}
