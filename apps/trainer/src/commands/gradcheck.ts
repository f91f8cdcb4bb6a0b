import { gradientCheck, type GradientCheckReport, type ParamGradientCheck } from '@dl/gradcheck';
import { rowsView } from '@dl/optim';
import { Rng } from '@dl/tensor';
import { resolve } from 'node:path';
import {
  intList,
  integer,
  nonNegative,
  oneOf,
  positive,
  positiveInt,
  parseCommandArgs,
} from '../cli/args.js';
import type { Io } from '../cli/io.js';
import { CliError } from '../cli-error.js';
import { buildModel, type ModelName } from '../models.js';
import { EXIT } from '../run-error.js';
import { loadData } from '../train/data.js';

const OPTIONS = {
  model: { type: 'string' },
  hidden: { type: 'string' },
  batch: { type: 'string' },
  'batch-norm': { type: 'boolean' },
  dropout: { type: 'string' },
  'weight-decay': { type: 'string' },
  tolerance: { type: 'string' },
  seed: { type: 'string' },
  data: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const ZERO = 1e-8;

/** Small hidden layers by default for the deep nets: the numerical gradient costs two forwards per weight. */
const DEFAULT_HIDDEN: Readonly<Record<ModelName, number[]>> = {
  'two-layer-net': [50],
  'multi-layer-net': [20, 20],
  'multi-layer-net-extend': [20, 20],
  'simple-conv-net': [],
  'deep-conv-net': [],
  lenet: [],
};

// The convolutional nets have tens of thousands of weights in their first affine layer (SimpleConvNet:
// 30·12·12·100): a numerical gradient of each takes minutes on the js backend. Not offered yet.
const CHECKABLE = [
  'two-layer-net',
  'multi-layer-net',
  'multi-layer-net-extend',
] as const satisfies readonly ModelName[];

export const GRADCHECK_HELP = `Usage: dl gradcheck [options]

The book's gradient check (ch05/gradient_check.py): backpropagation against central differences
(h = 1e-4) on the first training images, in float64, and a table per parameter: the mean absolute
difference (the book's figure), the largest, and the largest relative to the gradient's size.
Exits 1 if a parameter's relative error is above the tolerance (a gradient that is zero, such as
a bias just before BatchNorm, must be zero on both sides).

Options:
  --model NAME        ${CHECKABLE.join(' | ')} (default two-layer-net)
  --hidden A,B,...    hidden layer sizes (default: 50 for two-layer-net, as the book; 20,20 otherwise)
  --batch N           images (default 3, the book)
  --batch-norm        with Batch Normalization (multi-layer-net-extend)
  --dropout X         with Dropout, masks held fixed (multi-layer-net-extend)
  --weight-decay X    with L2 weight decay (multi-layer nets)
  --tolerance X       largest accepted relative error (default 1e-5)
  --seed N            seed of the weights and masks (default 0)
  --data DIR          MNIST-format IDX files (default: the bundled MNIST)
  --json              the report as JSON

Examples:
  dl gradcheck
  dl gradcheck --model multi-layer-net-extend --batch-norm --dropout 0.3`;

/** `dl gradcheck`: returns the exit code. */
export function gradcheckCommand(argv: readonly string[], io: Io): Promise<number> {
  // Synchronous work; a promise like every command's.
  return new Promise((done) => done(runGradcheck(argv, io)));
}

function runGradcheck(argv: readonly string[], io: Io): number {
  const { values } = parseCommandArgs('gradcheck', argv, OPTIONS);
  if (values.help) {
    io.write(`${GRADCHECK_HELP}\n`);
    return EXIT.ok;
  }
  const model: ModelName = oneOf('model', values.model, CHECKABLE) ?? 'two-layer-net';
  const hidden = intList('hidden', values.hidden) ?? DEFAULT_HIDDEN[model];
  const batch = positiveInt('batch', values.batch) ?? 3;
  const dropout = nonNegative('dropout', values.dropout) ?? 0;
  const weightDecay = nonNegative('weight-decay', values['weight-decay']) ?? 0;
  const tolerance = positive('tolerance', values.tolerance) ?? 1e-5;
  const seed = integer('seed', values.seed) ?? 0;
  const batchNorm = values['batch-norm'] ?? false;
  if ((batchNorm || dropout > 0) && model !== 'multi-layer-net-extend') {
    throw new CliError(`${batchNorm ? '--batch-norm' : '--dropout'} needs --model multi-layer-net-extend`);
  }
  if (dropout >= 1) throw new CliError(`--dropout must be below 1, got ${dropout}`);
  if (model === 'two-layer-net' && (hidden.length !== 1 || weightDecay > 0)) {
    throw new CliError('--model two-layer-net has one hidden layer and no weight decay');
  }
  const data = loadData({ dir: values.data === undefined ? null : resolve(values.data), trainSize: null });
  const x = rowsView(data.xTrain, 0, batch).astype('float64');
  const t = rowsView(data.tTrain, 0, batch);
  const inputSize = data.inputShape.reduce((a, b) => a * b, 1);
  const rng = new Rng(seed);
  const network = buildModel({
    model,
    inputShape: data.inputShape,
    inputSize,
    outputSize: 10,
    hidden,
    init: undefined,
    weightDecay,
    batchNorm,
    dropout,
    rng,
    dtype: 'float64',
  });
  const shape = [inputSize, ...hidden, 10].join('-');
  const began = performance.now();
  const report: GradientCheckReport = gradientCheck(network, x, t, {
    ctx: { train: true, rng: new Rng(seed + 1) },
  });
  const seconds = (performance.now() - began) / 1000;
  // A gradient that is zero (biases right before BatchNorm) has no scale to be relative to: there
  // both sides must be zero up to rounding.
  const verdict = (p: ParamGradientCheck): 'ok' | 'ok (zero)' | 'FAIL' =>
    p.maxRelError <= tolerance ? 'ok' : p.scale <= ZERO && p.maxAbsError <= ZERO ? 'ok (zero)' : 'FAIL';
  const failed = report.params.filter((p) => verdict(p) === 'FAIL');
  if (values.json) {
    io.write(
      `${JSON.stringify({ model, shape, batch, tolerance, seconds, ...report, ok: failed.length === 0 })}\n`,
    );
  } else {
    io.write(
      `gradient check: ${model} ${shape}, float64, ${x.shape[0]} images, h = 1e-4 (${seconds.toFixed(1)} s)\n\n`,
    );
    const shapes = new Map(network.params().map((p) => [p.name, p.value.shape.join('x')]));
    const head = ['param', 'shape', 'mean |Δ|', 'max |Δ|', 'max rel', ''];
    const rows = report.params.map((p) => [
      p.name,
      shapes.get(p.name) ?? '',
      p.meanAbsError.toExponential(2),
      p.maxAbsError.toExponential(2),
      p.maxRelError.toExponential(2),
      verdict(p),
    ]);
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    for (const r of [head, ...rows])
      io.write(
        `${r
          .map((c, i) => c.padEnd(widths[i]!))
          .join('  ')
          .trimEnd()}\n`,
      );
    io.write(
      `\n${failed.length === 0 ? 'all' : `${report.params.length - failed.length} of ${report.params.length}`} ` +
        `parameters within relative error ${tolerance}\n`,
    );
  }
  if (failed.length > 0) {
    io.error(`dl: gradient check failed for ${failed.map((p) => p.name).join(', ')}\n`);
    return EXIT.failed;
  }
  return EXIT.ok;
}
