import type { Activation, ModelKind, ModelSpec } from '@dl/layers';
import {
  OPTIMIZER_DEFAULTS,
  OPTIMIZER_NAMES,
  isOptimizerName,
  type OptimizerName,
  type Sampling,
} from '@dl/optim';
import { checkBackendName, defaultBackendName, type BackendName } from '../backend.js';
import { intList, integer, nonNegative, oneOf, positive, positiveInt, type ParsedArgs } from '../cli/args.js';
import { CliError } from '../cli-error.js';
import { didYouMean } from '../cli/did-you-mean.js';
import { MODEL_DEFAULTS, MODEL_NAMES, type InitName, type ModelDefaults, type ModelName } from '../models.js';
import { describeSpec } from '../run/checkpoint.js';
import { readSpecFile } from './spec-file.js';

/** Every setting of a training run, resolved: what run.json records and `--resume` restores. */
export interface TrainSettings {
  /** The book's network (`--model`), or the kind of the `--spec` network. */
  model: ModelKind;
  /**
   * The network of `--spec FILE`, as validated (what `--resume` rebuilds); null for `--model` runs,
   * whose network follows from `model`, `hidden`, ... (missing in runs made before `--spec`).
   */
  spec?: ModelSpec | null;
  /** Absolute path of the `--spec` file, for the record. */
  specFile?: string | null;
  hidden: number[];
  activation: Activation;
  optimizer: OptimizerName;
  lr: number;
  batchSize: number;
  /** Exactly one of `iterations` and `epochs` is set. */
  iterations: number | null;
  epochs: number | null;
  weightDecay: number;
  dropout: number;
  batchNorm: boolean;
  /** `null`: the model's own default (TwoLayerNet 0.01, the multi-layer nets He). */
  init: InitName | null;
  sampling: Sampling;
  seed: number;
  /** Absolute path of the IDX directory, or null for the bundled MNIST. */
  data: string | null;
  trainSize: number | null;
  /** Per-epoch accuracies on the first N rows of each set (the book's evaluate_sample_num_per_epoch). */
  evalSamples: number | null;
  backend: BackendName;
  threads: number | null;
  /**
   * How a step's float32 tensors are stored on the GPU: `float16` is book 8.3's reduced precision
   * (`--backend webgpu` only), with the layers reading float16 copies of float32 master weights.
   * Runs made before this setting have none: float32.
   */
  precision: TrainPrecision;
  /** A `step` record in metrics.jsonl every this many steps. */
  logEvery: number;
}

export const TRAIN_OPTIONS = {
  model: { type: 'string' },
  spec: { type: 'string' },
  optimizer: { type: 'string' },
  lr: { type: 'string' },
  'batch-size': { type: 'string' },
  iters: { type: 'string' },
  epochs: { type: 'string' },
  hidden: { type: 'string' },
  activation: { type: 'string' },
  init: { type: 'string' },
  'weight-decay': { type: 'string' },
  'batch-norm': { type: 'boolean' },
  'no-batch-norm': { type: 'boolean' },
  dropout: { type: 'string' },
  sampling: { type: 'string' },
  seed: { type: 'string' },
  data: { type: 'string' },
  'train-size': { type: 'string' },
  'eval-samples': { type: 'string' },
  backend: { type: 'string' },
  threads: { type: 'string' },
  precision: { type: 'string' },
  'log-every': { type: 'string' },
  out: { type: 'string' },
  resume: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export type TrainValues = ParsedArgs<typeof TRAIN_OPTIONS>['values'];

/** `--precision`: how the GPU stores a step's tensors. */
export const TRAIN_PRECISIONS = ['float32', 'float16'] as const;
export type TrainPrecision = (typeof TRAIN_PRECISIONS)[number];

/** float16 storage is the webgpu backend's: anywhere else, the one-line usage error. */
export function checkPrecision(precision: TrainPrecision, backend: BackendName): TrainPrecision {
  if (precision === 'float16' && backend !== 'webgpu') {
    throw new CliError(
      `--precision float16 trains with float16 storage on the GPU: it needs --backend webgpu (got ${backend}); to evaluate rounded weights, use dl eval --precision`,
    );
  }
  return precision;
}

/** Flags that pick the run's length: the only settings `--resume` lets you change. */
export const LENGTH_FLAGS = ['iters', 'epochs'] as const;
/** Flags about this process, not the run: allowed with `--resume`. */
export const PROCESS_FLAGS = ['json', 'help', 'resume', 'backend', 'threads'] as const;

function decayLabel(model: ModelName): string {
  return `--model ${model} has no weight decay (use multi-layer-net or multi-layer-net-extend)`;
}

/** The run's length from `--iters`/`--epochs`, or undefined when neither is given. */
export function lengthFromFlags(
  values: TrainValues,
): { iterations: number | null; epochs: number | null } | undefined {
  const iters = positiveInt('iters', values.iters);
  const epochs = positiveInt('epochs', values.epochs);
  if (iters !== undefined && epochs !== undefined) throw new CliError('give --iters or --epochs, not both');
  if (iters !== undefined) return { iterations: iters, epochs: null };
  if (epochs !== undefined) return { iterations: null, epochs };
  return undefined;
}

/** Flags that describe the network, which a `--spec` file describes instead. */
const NETWORK_FLAGS = [
  'hidden',
  'activation',
  'init',
  'weight-decay',
  'batch-norm',
  'no-batch-norm',
  'dropout',
] as const;

/**
 * The training defaults for a `--spec` network: those of the book's network of its kind; for a
 * `sequential` spec, SimpleConvNet's when it has a convolution, else MultiLayerNet's.
 */
function specDefaults(spec: ModelSpec): ModelDefaults {
  if (spec.kind !== 'sequential') return MODEL_DEFAULTS[spec.kind];
  const conv = spec.layers.some((l) => l.type === 'convolution');
  return MODEL_DEFAULTS[conv ? 'simple-conv-net' : 'multi-layer-net'];
}

/** The settings of a `--spec FILE` run: the network from the file, training settings from the flags. */
function specSettings(values: TrainValues, resolvePath: (p: string) => string): TrainSettings {
  if (values.model !== undefined) throw new CliError('give --spec or --model, not both');
  const clash = NETWORK_FLAGS.filter((k) => values[k] !== undefined);
  if (clash.length > 0) {
    throw new CliError(
      `--spec describes the whole network; ${clash.map((k) => `--${k}`).join(', ')} cannot be given with it (write it into the spec)`,
    );
  }
  const file = resolvePath(values.spec!);
  const spec = readSpecFile(file);
  const settings = commonSettings(values, resolvePath, specDefaults(spec));
  return {
    model: spec.kind,
    spec,
    specFile: file,
    hidden: [],
    activation: 'relu',
    weightDecay: 0,
    dropout: 0,
    batchNorm: false,
    init: null,
    ...settings,
  };
}

/** The settings of how to train, from the flags, with `defaults` where a flag is missing. */
function commonSettings(
  values: TrainValues,
  resolvePath: (p: string) => string,
  defaults: ModelDefaults,
): Omit<
  TrainSettings,
  'model' | 'spec' | 'specFile' | 'hidden' | 'activation' | 'weightDecay' | 'dropout' | 'batchNorm' | 'init'
> {
  const optimizer = values.optimizer ?? defaults.optimizer;
  if (!isOptimizerName(optimizer)) {
    throw new CliError(
      `--optimizer must be one of ${OPTIMIZER_NAMES.join(', ')}, got '${optimizer}'${didYouMean(optimizer, OPTIMIZER_NAMES)}`,
    );
  }
  // A learning rate of 0 trains nothing: almost surely a mistake.
  const lrFlag = positive('lr', values.lr);
  const lr = lrFlag ?? (values.optimizer === undefined ? defaults.lr : OPTIMIZER_DEFAULTS[optimizer].lr);
  const length = lengthFromFlags(values) ?? {
    iterations: 'iterations' in defaults.length ? defaults.length.iterations : null,
    epochs: 'epochs' in defaults.length ? defaults.length.epochs : null,
  };
  const backend = checkBackendName(values.backend ?? defaultBackendName());
  return {
    optimizer,
    lr,
    batchSize: positiveInt('batch-size', values['batch-size']) ?? defaults.batchSize,
    ...length,
    sampling: oneOf<Sampling>('sampling', values.sampling, ['replacement', 'shuffle']) ?? 'replacement',
    seed: integer('seed', values.seed) ?? 0,
    data: values.data === undefined ? null : resolvePath(values.data),
    trainSize: positiveInt('train-size', values['train-size']) ?? null,
    evalSamples: positiveInt('eval-samples', values['eval-samples']) ?? defaults.evalSamples ?? null,
    backend,
    threads: positiveInt('threads', values.threads) ?? null,
    precision: checkPrecision(oneOf('precision', values.precision, TRAIN_PRECISIONS) ?? 'float32', backend),
    logEvery: positiveInt('log-every', values['log-every']) ?? 10,
  };
}

/** Resolves the flags of `dl train` into settings, with each model's book defaults; throws CliError. */
export function settingsFromFlags(values: TrainValues, resolvePath: (p: string) => string): TrainSettings {
  if (values.spec !== undefined) return specSettings(values, resolvePath);
  const model: ModelName = oneOf('model', values.model, MODEL_NAMES) ?? 'two-layer-net';
  const defaults = MODEL_DEFAULTS[model];
  const hidden = intList('hidden', values.hidden) ?? defaults.hidden;
  const oneHidden = model === 'two-layer-net' || model === 'simple-conv-net' || model === 'deep-conv-net';
  if (oneHidden && hidden.length !== 1) {
    throw new CliError(
      `--model ${model} has one hidden (fully connected) layer, got --hidden ${values.hidden}`,
    );
  }
  if (model === 'lenet' && values.hidden !== undefined) {
    throw new CliError('--model lenet has fixed layer sizes; --hidden does not apply');
  }
  const activationFlag = oneOf<Activation>('activation', values.activation, ['relu', 'sigmoid']);
  const activation = activationFlag ?? (model === 'lenet' ? 'sigmoid' : 'relu');
  if (
    activationFlag !== undefined &&
    !['multi-layer-net', 'multi-layer-net-extend', 'lenet'].includes(model)
  ) {
    throw new CliError(`--model ${model} uses ReLU; --activation applies to the multi-layer nets and lenet`);
  }
  const weightDecay = nonNegative('weight-decay', values['weight-decay']) ?? 0;
  if (weightDecay > 0 && !['multi-layer-net', 'multi-layer-net-extend'].includes(model)) {
    throw new CliError(decayLabel(model));
  }
  const dropout = nonNegative('dropout', values.dropout) ?? 0;
  if (dropout >= 1) throw new CliError(`--dropout must be below 1, got ${dropout}`);
  if (values['batch-norm'] && values['no-batch-norm'])
    throw new CliError('give --batch-norm or --no-batch-norm, not both');
  const batchNorm =
    values['batch-norm'] ?? (values['no-batch-norm'] ? false : model === 'multi-layer-net-extend');
  if (batchNorm && model !== 'multi-layer-net-extend') {
    throw new CliError(`--batch-norm needs --model multi-layer-net-extend (got ${model})`);
  }
  if (dropout > 0 && model !== 'multi-layer-net-extend' && model !== 'deep-conv-net') {
    throw new CliError(`--dropout needs --model multi-layer-net-extend or deep-conv-net (got ${model})`);
  }
  const init = oneOf<InitName>('init', values.init, ['std', 'xavier', 'he']) ?? null;
  const common = commonSettings(values, resolvePath, defaults);
  return {
    model,
    spec: null,
    specFile: null,
    hidden,
    activation,
    weightDecay,
    dropout,
    batchNorm,
    init,
    ...common,
  };
}

function describeLayers(spec: ModelSpec): string {
  if (spec.kind !== 'sequential') return describeSpec(spec);
  const layers = spec.layers.map((l) => {
    switch (l.type) {
      case 'affine':
        return `affine ${l.units}`;
      case 'convolution':
        return `conv ${l.filters}x${Array.isArray(l.size) ? l.size.join('x') : String(l.size)}`;
      case 'pooling':
        return `pool ${Array.isArray(l.size) ? l.size.join('x') : String(l.size)}`;
      default:
        return l.type;
    }
  });
  return `sequential: ${layers.join(', ')}`;
}

/**
 * `784-50-10`, or the image shape for the convolutional networks (`1x28x28 conv, hidden 100`);
 * for `--spec` networks, the input and the spec (`784 → sequential: affine 64, relu, affine 10`).
 */
export function describeShape(s: TrainSettings, inputShape: readonly number[]): string {
  if (s.spec) return `${inputShape.join('x')} → ${describeLayers(s.spec)}`;
  if (inputShape.length === 3) {
    return `${inputShape.join('x')} conv${s.hidden.length > 0 ? `, hidden ${s.hidden.join(',')}` : ''}`;
  }
  return [inputShape[0], ...s.hidden, 10].join('-');
}

/** `10000 iterations` / `20 epochs`. */
export function describeLength(s: Pick<TrainSettings, 'iterations' | 'epochs'>): string {
  return s.iterations !== null ? `${s.iterations} iterations` : `${s.epochs} epochs`;
}
