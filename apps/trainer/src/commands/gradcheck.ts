import { gradientCheck, type GradientCheckReport, type ParamGradientCheck } from '@dl/gradcheck';
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
import { MODEL_NAMES, isConvModel, type ModelName } from '../models.js';
import { EXIT } from '../run-error.js';
import {
  CONV_SAMPLES,
  DEFAULT_HIDDEN,
  convSubject,
  denseSubject,
  type GradcheckSubject,
} from './gradcheck-networks.js';
import { CheckProgress, withProgress } from './gradcheck-progress.js';
import { sampledGradientCheck } from './gradcheck-sampled.js';

const OPTIONS = {
  model: { type: 'string' },
  hidden: { type: 'string' },
  batch: { type: 'string' },
  samples: { type: 'string' },
  'batch-norm': { type: 'boolean' },
  dropout: { type: 'string' },
  'weight-decay': { type: 'string' },
  tolerance: { type: 'string' },
  seed: { type: 'string' },
  data: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const CHECKABLE = MODEL_NAMES;

export const GRADCHECK_HELP = `Usage: dl gradcheck [options]

The book's gradient check (ch05/gradient_check.py): backpropagation against central differences
(h = 1e-4) on the first training images, in float64, and a table per parameter: the mean absolute
difference (the book's figure), the largest, and the largest relative to the gradient's size.
Exits 1 if a parameter's relative error is above the tolerance (a gradient that is zero, such as
a bias just before BatchNorm, must be zero on both sides).

The convolutional networks are checked at a small scale, on seeded random images (targets: the
classes the network picks; biases drawn in ±0.1, off ReLU's kink): SimpleConvNet
with 3 filters 3×3 on 1×10×10, DeepConvNet's six convolutions with 2 to 4 filters on 1×8×8 (with
its Dropout, masks held fixed), LeNet as it is on 1×28×28; and on ${CONV_SAMPLES} entries of each parameter, drawn
with the seed (--samples), so the check takes seconds. ReLU and max pooling have kinks: where a
step of h crosses one, the central difference mixes both sides' slopes, so an entry that disagrees
is measured again with h/10 and h/100 (counted in the last line); a wrong backward disagrees at
every step.

Options:
  --model NAME        ${CHECKABLE.join(' | ')}
                      (default two-layer-net)
  --hidden A,B,...    hidden layer sizes (default: 50 for two-layer-net, as the book; 20,20 for the
                      multi-layer nets; 6 for simple-conv-net and deep-conv-net; lenet has fixed sizes)
  --batch N           images (default 3, the book)
  --samples N         check N entries of each parameter, drawn with the seed, instead of all
                      (default: all; ${CONV_SAMPLES} for the convolutional networks)
  --batch-norm        with Batch Normalization (multi-layer-net-extend)
  --dropout X         with Dropout, masks held fixed (multi-layer-net-extend; deep-conv-net's
                      ratio, default 0.5)
  --weight-decay X    with L2 weight decay (multi-layer nets)
  --tolerance X       largest accepted relative error (default 1e-5)
  --seed N            seed of the weights, masks, sampled entries and random images (default 0)
  --data DIR          MNIST-format IDX files (default: the bundled MNIST; not for conv networks)
  --json              the report as JSON

Examples:
  dl gradcheck
  dl gradcheck --model multi-layer-net-extend --batch-norm --dropout 0.3
  dl gradcheck --model simple-conv-net
  dl gradcheck --model deep-conv-net --samples 100 --seed 3
  dl gradcheck --model two-layer-net --samples 20`;

/** `dl gradcheck`: returns the exit code. */
export function gradcheckCommand(argv: readonly string[], io: Io): Promise<number> {
  // Synchronous work; a promise like every command's.
  return new Promise((done) => done(runGradcheck(argv, io)));
}

type Values = ReturnType<typeof parseCommandArgs<typeof OPTIONS>>['values'];

/** What a check runs with, from the command line, with its combinations checked. */
interface Settings {
  model: ModelName;
  conv: boolean;
  hidden: number[];
  batch: number;
  samples: number | undefined;
  dropout: number;
  weightDecay: number;
  tolerance: number;
  seed: number;
  batchNorm: boolean;
}

function settings(values: Values): Settings {
  const model: ModelName = oneOf('model', values.model, CHECKABLE) ?? 'two-layer-net';
  const conv = isConvModel(model);
  if (model === 'lenet' && values.hidden !== undefined)
    throw new CliError('--model lenet has fixed layer sizes; --hidden does not apply');
  const hidden = intList('hidden', values.hidden) ?? DEFAULT_HIDDEN[model];
  if (conv && model !== 'lenet' && hidden.length !== 1)
    throw new CliError(
      `--model ${model} has one hidden (fully connected) layer, got --hidden ${values.hidden}`,
    );
  const dropout = nonNegative('dropout', values.dropout) ?? 0;
  const weightDecay = nonNegative('weight-decay', values['weight-decay']) ?? 0;
  const batchNorm = values['batch-norm'] ?? false;
  if (batchNorm && model !== 'multi-layer-net-extend')
    throw new CliError('--batch-norm needs --model multi-layer-net-extend');
  if (dropout > 0 && model !== 'multi-layer-net-extend' && model !== 'deep-conv-net')
    throw new CliError('--dropout needs --model multi-layer-net-extend or deep-conv-net');
  if (dropout >= 1) throw new CliError(`--dropout must be below 1, got ${dropout}`);
  if (weightDecay > 0 && model !== 'multi-layer-net' && model !== 'multi-layer-net-extend')
    throw new CliError('--weight-decay needs --model multi-layer-net or multi-layer-net-extend');
  if (model === 'two-layer-net' && hidden.length !== 1) {
    throw new CliError('--model two-layer-net has one hidden layer');
  }
  if (conv && values.data !== undefined) {
    throw new CliError(`--model ${model} is checked on small random images; --data does not apply`);
  }
  return {
    model,
    conv,
    hidden,
    batch: positiveInt('batch', values.batch) ?? 3,
    samples: positiveInt('samples', values.samples) ?? (conv ? CONV_SAMPLES : undefined),
    dropout,
    weightDecay,
    tolerance: positive('tolerance', values.tolerance) ?? 1e-5,
    seed: integer('seed', values.seed) ?? 0,
    batchNorm,
  };
}

type Report = GradientCheckReport & { remeasured?: number };

/** Runs the check (every entry, or `samples` of each parameter), with progress on stderr. */
function check(subject: GradcheckSubject, s: Settings, ctx: { train: boolean; rng: Rng }, io: Io): Report {
  const entries = subject.network
    .params()
    .map((p) => ({ name: p.name, count: Math.min(p.value.size, s.samples ?? Infinity) }));
  const progress = new CheckProgress(io, 2 * entries.reduce((a, e) => a + e.count, 0));
  const model = withProgress(subject.network, entries, progress);
  const { x, t } = subject;
  try {
    return s.samples === undefined
      ? gradientCheck(model, x, t, { ctx })
      : sampledGradientCheck(model, x, t, {
          ctx,
          samples: s.samples,
          pick: new Rng(s.seed + 3),
          tolerance: s.tolerance,
        });
  } finally {
    progress.end();
  }
}

/**
 * A gradient that is zero (biases right before BatchNorm) has no scale to be relative to: there
 * both sides must be zero up to rounding.
 */
const ZERO = 1e-8;

function verdictOf(p: ParamGradientCheck, tolerance: number): 'ok' | 'ok (zero)' | 'FAIL' {
  if (p.maxRelError <= tolerance) return 'ok';
  return p.scale <= ZERO && p.maxAbsError <= ZERO ? 'ok (zero)' : 'FAIL';
}

/** The report as the book's table: a heading, one row per parameter, and the verdict line. */
function writeTable(io: Io, subject: GradcheckSubject, s: Settings, report: Report, seconds: number): void {
  const { model, samples, seed, tolerance } = s;
  io.write(
    `gradient check: ${model} ${subject.shape}, float64, ${subject.x.shape[0]} ${s.conv ? 'random ' : ''}images, h = 1e-4` +
      `${samples === undefined ? '' : `, ${samples} sampled entries per parameter (seed ${seed})`} (${seconds.toFixed(1)} s)\n\n`,
  );
  const shapes = new Map(subject.network.params().map((p) => [p.name, p.value.shape.join('x')]));
  const head = ['param', 'shape', 'mean |Δ|', 'max |Δ|', 'max rel', ''];
  const rows = report.params.map((p) => [
    p.name,
    shapes.get(p.name) ?? '',
    p.meanAbsError.toExponential(2),
    p.maxAbsError.toExponential(2),
    p.maxRelError.toExponential(2),
    verdictOf(p, tolerance),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  for (const r of [head, ...rows])
    io.write(
      `${r
        .map((c, i) => c.padEnd(widths[i]!))
        .join('  ')
        .trimEnd()}\n`,
    );
  const failed = report.params.filter((p) => verdictOf(p, tolerance) === 'FAIL').length;
  const remeasured = report.remeasured ?? 0;
  io.write(
    `\n${failed === 0 ? 'all' : `${report.params.length - failed} of ${report.params.length}`} ` +
      `parameters within relative error ${tolerance}` +
      `${remeasured ? ` (${remeasured} entr${remeasured === 1 ? 'y' : 'ies'} measured again with a smaller step: a kink within h)` : ''}\n`,
  );
}

function runGradcheck(argv: readonly string[], io: Io): number {
  const { values } = parseCommandArgs('gradcheck', argv, OPTIONS);
  if (values.help) {
    io.write(`${GRADCHECK_HELP}\n`);
    return EXIT.ok;
  }
  const s = settings(values);
  const ctx = { train: true, rng: new Rng(s.seed + 1) };
  const subject = s.conv
    ? convSubject(s.model, { hidden: s.hidden[0], batch: s.batch, dropout: s.dropout, seed: s.seed, ctx })
    : denseSubject(s.model, { ...s, dir: values.data === undefined ? null : resolve(values.data) });
  const began = performance.now();
  const report = check(subject, s, ctx, io);
  const seconds = (performance.now() - began) / 1000;
  const failed = report.params.filter((p) => verdictOf(p, s.tolerance) === 'FAIL');
  if (values.json) {
    const { model, samples, batch, tolerance } = s;
    io.write(
      `${JSON.stringify({ model, shape: subject.shape, batch, samples: samples ?? null, tolerance, seconds, ...report, ok: failed.length === 0 })}\n`,
    );
  } else {
    writeTable(io, subject, s, report, seconds);
  }
  if (failed.length > 0) {
    // ReLU and max pooling are not differentiable everywhere; entries near a kink are measured again
    // with smaller steps, but a kink closer than h/100 can remain.
    const hint =
      s.samples !== undefined && s.conv && s.model !== 'lenet'
        ? ' (if only a few entries disagree, a kink of ReLU or max pooling may lie within h/100: try another --seed)'
        : '';
    io.error(`dl: gradient check failed for ${failed.map((p) => p.name).join(', ')}${hint}\n`);
    return EXIT.failed;
  }
  return EXIT.ok;
}
