import { parseArgs } from 'node:util';
import { loadMnist } from '@dl/data-mnist';
import { createOptimizer, isOptimizerName, train, OPTIMIZER_NAMES, type TrainLength } from '@dl/optim';
import { Rng, slice, type Tensor } from '@dl/tensor';
import { CliError } from '../cli-error.js';
import { MODEL_DEFAULTS, MODEL_NAMES, buildModel, type InitName, type ModelName } from '../models.js';
import { createReporter } from '../report.js';

const HELP = `Usage: dl train [options]

Trains a network of the book on MNIST and prints the test accuracy. With no options: the book's
TwoLayerNet (784-50-10, SGD lr 0.1, batch 100, 10 000 iterations) on the bundled MNIST.

Options:
  --model NAME        ${MODEL_NAMES.join(' | ')} (default two-layer-net)
  --optimizer NAME    ${OPTIMIZER_NAMES.join(' | ')} (default: the model's book setting)
  --lr X              learning rate
  --batch-size N      mini-batch size
  --iters N           number of steps (or --epochs)
  --epochs N          number of epochs (an epoch is train-size / batch-size steps)
  --hidden A,B,...    hidden layer sizes
  --init std|xavier|he   weight initialisation (std = 0.01)
  --weight-decay X    L2 weight decay lambda (multi-layer nets)
  --batch-norm        Batch Normalization (multi-layer-net-extend)
  --dropout X         Dropout ratio (multi-layer-net-extend)
  --sampling replacement|shuffle   mini-batches drawn with replacement (book) or shuffled epochs
  --seed N            seed of every random draw (default 0)
  --data DIR          a directory of MNIST-format IDX files (default: the bundled MNIST)
  --train-size N      train on the first N training images only
  --backend js        compute backend (js: the reference implementation)
  --json              one JSON object per epoch and a final summary on stdout, nothing else
  -h, --help          this help`;

function positiveInt(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0)
    throw new CliError(`--${name} must be a positive integer, got '${value}'`);
  return n;
}

function nonNegative(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new CliError(`--${name} must be a number >= 0, got '${value}'`);
  return n;
}

function oneOf<T extends string>(
  name: string,
  value: string | undefined,
  allowed: readonly T[],
): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new CliError(`--${name} must be one of ${allowed.join(', ')}, got '${value}'`);
  }
  return value as T;
}

/** `dl train`: returns the exit code. */
export async function trainCommand(argv: readonly string[]): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      model: { type: 'string' },
      optimizer: { type: 'string' },
      lr: { type: 'string' },
      'batch-size': { type: 'string' },
      iters: { type: 'string' },
      epochs: { type: 'string' },
      hidden: { type: 'string' },
      init: { type: 'string' },
      'weight-decay': { type: 'string' },
      'batch-norm': { type: 'boolean' },
      dropout: { type: 'string' },
      sampling: { type: 'string' },
      seed: { type: 'string' },
      data: { type: 'string' },
      'train-size': { type: 'string' },
      backend: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const model: ModelName = oneOf('model', values.model, MODEL_NAMES) ?? 'two-layer-net';
  const defaults = MODEL_DEFAULTS[model];
  const optimizerName = values.optimizer ?? defaults.optimizer;
  if (!isOptimizerName(optimizerName)) {
    throw new CliError(`--optimizer must be one of ${OPTIMIZER_NAMES.join(', ')}, got '${optimizerName}'`);
  }
  const lr = nonNegative('lr', values.lr) ?? (values.optimizer === undefined ? defaults.lr : undefined);
  const batchSize = positiveInt('batch-size', values['batch-size']) ?? defaults.batchSize;
  const iters = positiveInt('iters', values.iters);
  const epochs = positiveInt('epochs', values.epochs);
  if (iters !== undefined && epochs !== undefined) throw new CliError('give --iters or --epochs, not both');
  const length: TrainLength =
    iters !== undefined ? { iterations: iters } : epochs !== undefined ? { epochs } : defaults.length;
  const hidden = values.hidden?.split(',').map((h) => positiveInt('hidden', h.trim())!) ?? defaults.hidden;
  const init = oneOf<InitName>('init', values.init, ['std', 'xavier', 'he']);
  const weightDecay = nonNegative('weight-decay', values['weight-decay']) ?? 0;
  const dropout = nonNegative('dropout', values.dropout) ?? 0;
  if (dropout >= 1) throw new CliError(`--dropout must be below 1, got ${dropout}`);
  const sampling = oneOf('sampling', values.sampling, ['replacement', 'shuffle'] as const) ?? 'replacement';
  const seed = values.seed === undefined ? 0 : Number(values.seed);
  if (!Number.isInteger(seed)) throw new CliError(`--seed must be an integer, got '${values.seed}'`);
  const backend = oneOf('backend', values.backend, ['js'] as const) ?? 'js';
  const json = values.json ?? false;

  const log = json ? (): void => {} : (line: string): void => console.log(line);
  const loadStart = performance.now();
  const data = loadMnist(values.data === undefined ? {} : { dir: values.data });
  const trainSize = positiveInt('train-size', values['train-size']);
  const xTrain = trainSize === undefined ? data.xTrain : slice(data.xTrain, [[0, trainSize]]);
  const tTrain: Tensor = trainSize === undefined ? data.tTrain : slice(data.tTrain, [[0, trainSize]]);
  const inputSize = xTrain.shape[1]!;
  log(
    `data: ${values.data ?? 'bundled MNIST'} — ${xTrain.shape[0]} training and ${data.xTest.shape[0]} test images ` +
      `(${((performance.now() - loadStart) / 1000).toFixed(2)} s to load)`,
  );

  const rng = new Rng(seed);
  const network = buildModel({
    model,
    inputSize,
    outputSize: 10,
    hidden,
    init,
    weightDecay,
    batchNorm: values['batch-norm'] ?? model === 'multi-layer-net-extend',
    dropout,
    rng,
  });
  const optimizer = createOptimizer(optimizerName, lr === undefined ? {} : { lr });
  const settings = {
    model,
    optimizer: optimizerName,
    lr: optimizer.getState().hyper.lr,
    batchSize,
    ...length,
    hidden,
    sampling,
    seed,
    backend,
    threads: 1,
  };
  log(
    `train: ${model} (${[inputSize, ...hidden, 10].join('-')}), ${optimizerName} lr ${settings.lr}, batch ${batchSize}, ` +
      `${'iterations' in length ? `${length.iterations} iterations` : `${length.epochs} epochs`}, ` +
      `backend ${backend} (1 thread), seed ${seed}`,
  );

  const reporter = createReporter({ json, tty: process.stdout.isTTY });
  const controller = new AbortController();
  const onSigint = (): void => controller.abort();
  process.once('SIGINT', onSigint);
  try {
    const result = await train({
      model: network,
      optimizer,
      data: { xTrain, tTrain, xTest: data.xTest, tTest: data.tTest },
      batchSize,
      sampling,
      ...length,
      seed,
      computeTestLoss: true,
      signal: controller.signal,
      yieldEvery: 50,
      onStep: (e) => reporter.step(e),
      onEpoch: (e) => reporter.epoch(e),
    });
    reporter.done({
      testAcc: result.testAcc,
      testLoss: result.testLoss ?? Number.NaN,
      epochs: result.epochs,
      steps: result.steps,
      seconds: result.seconds,
      aborted: result.aborted,
      ...settings,
    });
    return result.aborted ? 130 : 0;
  } finally {
    process.off('SIGINT', onSigint);
  }
}
