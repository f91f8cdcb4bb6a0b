import {
  H,
  compareGradient,
  gradientCheck,
  type GradientCheckReport,
  type ParamGradientCheck,
} from '@dl/gradcheck';
import {
  buildModel as buildFromSpec,
  specInputShape,
  type FloatTensor,
  type LayerNetwork,
  type ModelSpec,
} from '@dl/layers';
import { rowsView } from '@dl/optim';
import { Rng, Tensor, argmax } from '@dl/tensor';
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
import { MODEL_NAMES, buildBookNetwork, isConvModel, type ModelName } from '../models.js';
import { EXIT } from '../run-error.js';
import { loadData } from '../train/data.js';

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

const ZERO = 1e-8;

/** Small hidden layers by default for the deep nets: the numerical gradient costs two forwards per weight. */
const DEFAULT_HIDDEN: Readonly<Record<ModelName, number[]>> = {
  'two-layer-net': [50],
  'multi-layer-net': [20, 20],
  'multi-layer-net-extend': [20, 20],
  'simple-conv-net': [6],
  'deep-conv-net': [6],
  lenet: [],
};

/** Entries checked per parameter of the convolutional networks unless --samples says otherwise. */
const CONV_SAMPLES = 30;

/**
 * The convolutional networks, scaled down so a check takes seconds: the same layers in the same
 * order as the book's (SimpleConvNet conv-relu-pool-affine-relu-affine, DeepConvNet's six 3×3
 * convolutions with three poolings and Dropout), with few filters on small images; LeNet as it is. The full-size SimpleConvNet has 30·12·12·100 weights in one affine layer:
 * minutes of numerical gradients.
 */
function tinyConvSpec(model: ModelName, hidden: number): ModelSpec {
  switch (model) {
    case 'simple-conv-net':
      return {
        kind: 'simple-conv-net',
        inputDim: [1, 10, 10],
        convParam: { filterNum: 3, filterSize: 3, pad: 0, stride: 1 },
        hiddenSize: hidden,
        outputSize: 10,
        // He, not the book's 0.01: tiny weights make the values in a pooling window nearly equal,
        // and a difference step then swaps their maximum.
        weightInitStd: 'he',
      };
    case 'deep-conv-net':
      return {
        kind: 'deep-conv-net',
        inputDim: [1, 8, 8],
        convParams: [2, 2, 3, 3, 4, 4].map((filterNum) => ({ filterNum, filterSize: 3, pad: 1, stride: 1 })),
        hiddenSize: hidden,
        outputSize: 10,
      };
    default:
      // LeNet's third convolution needs its 5×5 input: the full 28×28 (a small network anyway).
      return { kind: 'lenet', inputDim: [1, 28, 28], outputSize: 10 };
  }
}

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

/** `count` distinct indices below `size` (all of them when `count >= size`), drawn from `rng`, sorted. */
function sampleIndices(size: number, count: number, rng: Rng): number[] {
  const all = Array.from({ length: size }, (_, i) => i);
  if (count >= size) return all;
  // A partial Fisher–Yates shuffle.
  for (let i = 0; i < count; i++) {
    const j = i + rng.int(size - i);
    [all[i], all[j]] = [all[j]!, all[i]!];
  }
  return all.slice(0, count).sort((a, b) => a - b);
}

/**
 * `gradientCheck` on `samples` entries of each parameter: backprop's gradient at those entries
 * against central differences of the loss there. Same passes as `gradientCheck` (each forward with
 * its own clone of `ctx.rng`, so Dropout masks stay fixed); weights and buffers restored.
 */
function sampledGradientCheck(
  model: LayerNetwork,
  x: FloatTensor,
  t: Tensor,
  options: { ctx: { train: boolean; rng: Rng }; samples: number; pick: Rng; tolerance: number; h?: number },
): GradientCheckReport & { remeasured: number } {
  const { ctx, samples, pick, tolerance, h = H } = options;
  let remeasured = 0;
  const pass = (): { train: boolean; rng: Rng } => ({ train: ctx.train, rng: ctx.rng.clone() });
  const saved = model.buffers().map((b) => ({ value: b.value, copy: b.value.clone() }));
  try {
    model.gradient(x, t, pass());
    const params = model.params();
    const backprop = params.map((p) => p.grad.clone());
    const checks = params.map((p, i) => {
      const indices = sampleIndices(p.value.size, samples, pick);
      const b = new Float64Array(indices.length);
      const n = new Float64Array(indices.length);
      const data = p.value.data;
      const central = (j: number, step: number): number => {
        const keep = data[j]!;
        try {
          data[j] = keep + step;
          const up = model.loss(x, t, pass());
          data[j] = keep - step;
          const down = model.loss(x, t, pass());
          return (up - down) / (2 * step);
        } finally {
          data[j] = keep;
        }
      };
      indices.forEach((j, k) => {
        n[k] = central(j, h);
        b[k] = backprop[i]!.data[j]!;
      });
      // ReLU and max pooling have kinks; where one lies within h of an entry, the central difference
      // mixes the slopes of both sides. Such an entry is measured again with steps of h/10 and h/100
      // (which miss a kink at distance d > step); a wrong backward disagrees at every step.
      let scale = 0;
      for (let k = 0; k < b.length; k++) scale = Math.max(scale, Math.abs(b[k]!), Math.abs(n[k]!));
      indices.forEach((j, k) => {
        if (!(Math.abs(b[k]! - n[k]!) > tolerance * scale)) return;
        for (const step of [h / 10, h / 100]) {
          const again = central(j, step);
          if (Math.abs(b[k]! - again) < Math.abs(b[k]! - n[k]!)) {
            n[k] = again;
            remeasured++;
            break;
          }
        }
      });
      const shape = [indices.length];
      return compareGradient(p.name, new Tensor(b, shape, 'float64'), new Tensor(n, shape, 'float64'));
    });
    return {
      params: checks,
      maxAbsError: checks.reduce((m, c) => Math.max(m, c.maxAbsError), 0),
      maxRelError: checks.reduce((m, c) => Math.max(m, c.maxRelError), 0),
      remeasured,
    };
  } finally {
    for (const { value, copy } of saved) value.assign(copy);
  }
}

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
  const conv = isConvModel(model);
  if (model === 'lenet' && values.hidden !== undefined)
    throw new CliError('--model lenet has fixed layer sizes; --hidden does not apply');
  const hidden = intList('hidden', values.hidden) ?? DEFAULT_HIDDEN[model];
  if (conv && model !== 'lenet' && hidden.length !== 1)
    throw new CliError(
      `--model ${model} has one hidden (fully connected) layer, got --hidden ${values.hidden}`,
    );
  const batch = positiveInt('batch', values.batch) ?? 3;
  const samples = positiveInt('samples', values.samples) ?? (conv ? CONV_SAMPLES : undefined);
  const dropout = nonNegative('dropout', values.dropout) ?? 0;
  const weightDecay = nonNegative('weight-decay', values['weight-decay']) ?? 0;
  const tolerance = positive('tolerance', values.tolerance) ?? 1e-5;
  const seed = integer('seed', values.seed) ?? 0;
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
  const ctx = { train: true, rng: new Rng(seed + 1) };
  let network: LayerNetwork;
  let x: FloatTensor;
  let t: Tensor;
  let shape: string;
  if (conv) {
    const base = tinyConvSpec(model, hidden[0] ?? 6);
    const spec: ModelSpec =
      base.kind === 'deep-conv-net' && dropout > 0 ? { ...base, dropoutRatio: dropout } : base;
    network = buildFromSpec(spec, { rng: new Rng(seed), dtype: 'float64' });
    const input = specInputShape(spec);
    const draw = new Rng(seed + 2);
    // Biases start at 0, and a unit that sees only zeros (ReLU'd away, or padding) then sits exactly
    // on ReLU's kink, where the two sides of a central difference disagree: move them off it.
    for (const p of network.params())
      if (p.name.startsWith('b')) p.value.data.forEach((_, i, d) => (d[i] = 0.2 * draw.random() - 0.1));
    const per = input.reduce((a, b) => a * b, 1);
    x = new Tensor(
      Float64Array.from({ length: batch * per }, () => draw.random()),
      [batch, ...input],
      'float64',
    );
    // Targets: the classes the network itself picks (with the check's Dropout masks). A random target
    // can get a probability near the 1e-7 that the loss adds inside its log, which backprop (y - t)
    // leaves out; the picked class has at least 1/10.
    const scores = network.predict(x, { train: true, rng: ctx.rng.clone() });
    t = argmax(scores, { axis: 1 });
    shape = `${input.join('x')}${model === 'lenet' ? '' : `, hidden ${hidden[0]}`}`;
  } else {
    const data = loadData({ dir: values.data === undefined ? null : resolve(values.data), trainSize: null });
    x = rowsView(data.xTrain, 0, batch).astype('float64');
    t = rowsView(data.tTrain, 0, batch);
    const inputSize = data.inputShape.reduce((a, b) => a * b, 1);
    network = buildBookNetwork(
      { model, hidden, init: undefined, weightDecay, batchNorm, dropout },
      data.inputShape,
      { rng: new Rng(seed), dtype: 'float64' },
    );
    shape = [inputSize, ...hidden, 10].join('-');
  }
  const began = performance.now();
  const report: GradientCheckReport & { remeasured?: number } =
    samples === undefined
      ? gradientCheck(network, x, t, { ctx })
      : sampledGradientCheck(network, x, t, { ctx, samples, pick: new Rng(seed + 3), tolerance });
  const seconds = (performance.now() - began) / 1000;
  // A gradient that is zero (biases right before BatchNorm) has no scale to be relative to: there
  // both sides must be zero up to rounding.
  const verdict = (p: ParamGradientCheck): 'ok' | 'ok (zero)' | 'FAIL' =>
    p.maxRelError <= tolerance ? 'ok' : p.scale <= ZERO && p.maxAbsError <= ZERO ? 'ok (zero)' : 'FAIL';
  const failed = report.params.filter((p) => verdict(p) === 'FAIL');
  if (values.json) {
    io.write(
      `${JSON.stringify({ model, shape, batch, samples: samples ?? null, tolerance, seconds, ...report, ok: failed.length === 0 })}\n`,
    );
  } else {
    io.write(
      `gradient check: ${model} ${shape}, float64, ${x.shape[0]} ${conv ? 'random ' : ''}images, h = 1e-4` +
        `${samples === undefined ? '' : `, ${samples} sampled entries per parameter (seed ${seed})`} (${seconds.toFixed(1)} s)\n\n`,
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
        `parameters within relative error ${tolerance}` +
        `${report.remeasured ? ` (${report.remeasured} entr${report.remeasured === 1 ? 'y' : 'ies'} measured again with a smaller step: a kink within h)` : ''}\n`,
    );
  }
  if (failed.length > 0) {
    // ReLU and max pooling are not differentiable everywhere; entries near a kink are measured again
    // with smaller steps, but a kink closer than h/100 can remain.
    const hint =
      samples !== undefined && conv && model !== 'lenet'
        ? ' (if only a few entries disagree, a kink of ReLU or max pooling may lie within h/100: try another --seed)'
        : '';
    io.error(`dl: gradient check failed for ${failed.map((p) => p.name).join(', ')}${hint}\n`);
    return EXIT.failed;
  }
  return EXIT.ok;
}
