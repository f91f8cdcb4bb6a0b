import {
  buildModel,
  specInputShape,
  type FloatTensor,
  type LayerNetwork,
  type ModelSpec,
  type SimpleConvNetSpec,
} from '@dl/layers';
import { createOptimizer, rowsView } from '@dl/optim';
import { getBackend, isDeviceResident, onBackend, Rng, stepScope, Tensor, type FloatDType } from '@dl/tensor';
import { positiveInt } from '../cli/args.js';
import { CliError } from '../cli-error.js';
import { RunError } from '../run-error.js';
import { networkOn, openModel } from '../eval/open-model.js';
import { describeSpec } from '../run/checkpoint.js';
import type { ExperimentContext, ExperimentOption } from './context.js';
import { trainSideBySide } from './side-by-side.js';

/** Steps and images of the small SimpleConvNet the model experiments train when given no checkpoint. */
export const STUDY_DEFAULTS = { iters: 300, trainSize: 5000, batchSize: 100, lr: 0.001 } as const;

/** Flags of the experiments that train a small SimpleConvNet (filters). */
export const TRAIN_OPTIONS: Readonly<Record<string, ExperimentOption>> = {
  iters: {
    type: 'string',
    value: 'N',
    help: `training steps, Adam lr ${STUDY_DEFAULTS.lr}, batch ${STUDY_DEFAULTS.batchSize} (default ${STUDY_DEFAULTS.iters})`,
  },
  'train-size': {
    type: 'string',
    value: 'N',
    help: `train on the first N training images (default ${STUDY_DEFAULTS.trainSize})`,
  },
};

/** Flags of the experiments that study a trained model (misclassified, precision). */
export const MODEL_OPTIONS: Readonly<Record<string, ExperimentOption>> = {
  checkpoint: {
    type: 'string',
    value: 'FILE',
    help: 'a dl train checkpoint or run directory to study (default: train a small SimpleConvNet first)',
  },
  ...TRAIN_OPTIONS,
  'test-size': { type: 'string', value: 'N', help: 'use the first N test images (default: all)' },
};

/** A network to study and where it came from. */
export interface StudyModel {
  network: LayerNetwork;
  spec: ModelSpec;
  /** `runs/a/best.safetensors (simple-conv-net, step 1200)` or `SimpleConvNet trained 300 steps ...`. */
  origin: string;
  /** Per-sample input shape of the network. */
  inputShape: readonly number[];
  /** The network's dtype: a float64 checkpoint takes float64 input. */
  dtype: FloatDType;
}

function flag(ctx: ExperimentContext, name: string): string | undefined {
  const v = ctx.values[name];
  return typeof v === 'string' ? v : undefined;
}

/**
 * The process default backend: what code that names no backend runs on. `dl experiment` makes the
 * `--backend` it activated the default, except `webgpu` (never a default): then this is a CPU one,
 * and the networks' backend is `ExperimentContext.backend`.
 */
export function activeBackendName(): string {
  return getBackend().name;
}

/**
 * The scores of `network` for every row of `x`, computed on its backend `batchSize` rows at a time
 * and read back into one tensor on the CPU: how the experiments look at predictions on any backend,
 * a GPU's included (where `scores.data` cannot be read).
 */
export async function hostScores(
  network: LayerNetwork,
  x: FloatTensor,
  batchSize = 1000,
): Promise<FloatTensor> {
  const n = x.shape[0]!;
  const batches: (Float32Array | Float64Array)[] = [];
  let classes = 0;
  for (let start = 0; start < n; start += batchSize) {
    const end = Math.min(n, start + batchSize);
    const values = await onBackend(network.backend, () =>
      stepScope(() => {
        const scores = network.predict(rowsView(x, start, end), { train: false });
        classes = scores.shape[1]!;
        // Started inside the step, before the step releases the scores.
        return scores.read();
      }),
    );
    batches.push(values);
  }
  const out =
    batches[0] instanceof Float64Array ? new Float64Array(n * classes) : new Float32Array(n * classes);
  let at = 0;
  for (const b of batches) {
    out.set(b, at);
    at += b.length;
  }
  return out instanceof Float64Array
    ? new Tensor(out, [n, classes], 'float64')
    : new Tensor(out, [n, classes], 'float32');
}

/** A copy of `t` on the CPU (read back from a GPU; a plain copy elsewhere). */
export async function hostTensor(t: FloatTensor): Promise<FloatTensor> {
  const values = await t.read();
  return values instanceof Float64Array
    ? new Tensor(values, [...t.shape], 'float64')
    : new Tensor(values, [...t.shape], 'float32');
}

/** `x` `[N, ...]` seen as `[N, ...shape]`; throws a RunError when a sample's size does not match. */
export function asInput(x: FloatTensor, shape: readonly number[], what: string): FloatTensor {
  const n = x.shape[0]!;
  const want = shape.reduce((a, b) => a * b, 1);
  const have = n === 0 ? want : x.size / n;
  if (want !== have) {
    throw new RunError(
      `${what} takes ${shape.join('x')} inputs (${want} values), but the data's images have ${have}`,
    );
  }
  return new Tensor(x.data, [n, ...shape], x.dtype);
}

/** The SimpleConvNet spec for the data's images (the book's, chapter 7). */
export function simpleConvNetSpec(ctx: ExperimentContext): SimpleConvNetSpec {
  const [c, h, w] = ctx.images().inputShape as [number, number, number];
  return {
    kind: 'simple-conv-net',
    inputDim: [c, h, w],
    hiddenSize: 100,
    outputSize: 10,
    weightInitStd: 0.01,
  };
}

/**
 * Trains `network` (image input) with Adam on the first `--train-size` training images for `--iters`
 * steps, batches drawn with replacement; returns the mean loss of the first and last 10% of steps.
 */
export async function trainOnImages(
  ctx: ExperimentContext,
  network: LayerNetwork,
  label: string,
): Promise<{ iters: number; trainSize: number; firstLoss: number; lastLoss: number }> {
  const iters = positiveInt('iters', flag(ctx, 'iters')) ?? STUDY_DEFAULTS.iters;
  const data = ctx.images();
  const available = data.xTrain.shape[0]!;
  const trainSize = Math.min(
    positiveInt('train-size', flag(ctx, 'train-size')) ?? STUDY_DEFAULTS.trainSize,
    available,
  );
  const backend = ctx.backend.name;
  ctx.log(
    `training ${label}: ${iters} steps, Adam lr ${STUDY_DEFAULTS.lr}, batch ${STUDY_DEFAULTS.batchSize}, ` +
      `${trainSize} training images, backend ${backend}`,
  );
  const every = Math.max(1, Math.round(iters / 10));
  let sum = 0;
  const [losses] = await trainSideBySide(
    [
      {
        name: label,
        model: network,
        optimizer: createOptimizer('adam', { lr: STUDY_DEFAULTS.lr, backend: ctx.backend.kernels }),
      },
    ],
    { xTrain: rowsView(data.xTrain, 0, trainSize), tTrain: rowsView(data.tTrain, 0, trainSize) },
    {
      iterations: iters,
      batchSize: Math.min(STUDY_DEFAULTS.batchSize, trainSize),
      rng: new Rng(ctx.seed + 1),
      onStep: (i, [loss]) => {
        sum += loss!;
        if ((i + 1) % every === 0 || i + 1 === iters) {
          ctx.log(`  step ${String(i + 1).padStart(5)}  loss ${(sum / ((i % every) + 1)).toFixed(4)}`);
          sum = 0;
        }
      },
    },
  );
  const k = Math.max(1, Math.round(iters / 10));
  const mean = (v: number[]): number => v.reduce((a, b) => a + b, 0) / v.length;
  return { iters, trainSize, firstLoss: mean(losses!.slice(0, k)), lastLoss: mean(losses!.slice(-k)) };
}

/** The model of `--checkpoint FILE`, or a small SimpleConvNet trained now (seeded). */
export async function studyModel(ctx: ExperimentContext): Promise<StudyModel> {
  const file = flag(ctx, 'checkpoint');
  if (file !== undefined) {
    const extra = ['iters', 'train-size'].filter((k) => ctx.values[k] !== undefined);
    if (extra.length > 0) {
      throw new CliError(
        `${extra.map((k) => `--${k}`).join(' and ')} set how the model is trained; with --checkpoint nothing is trained`,
      );
    }
    // A file or a run directory (its best checkpoint); non-finite weights are refused.
    const opened = openModel(file, (note) => ctx.log(note.trimEnd()));
    const { spec, info, dtype, file: path } = opened;
    // Loaded on the CPU; moved onto a GPU backend (saved and loaded there), as dl eval does.
    const kernels = ctx.backend.kernels;
    const network = isDeviceResident(kernels) ? networkOn(opened.network, spec, kernels) : opened.network;
    ctx.log(`model: ${path} (${describeSpec(spec)}${info ? `, step ${info.step}` : ''})`);
    return {
      network,
      spec,
      origin: `${path} (${describeSpec(spec)}${info ? `, step ${info.step}` : ''})`,
      inputShape: specInputShape(spec),
      dtype,
    };
  }
  const spec = simpleConvNetSpec(ctx);
  const network = buildModel(spec, { rng: new Rng(ctx.seed), backend: ctx.backend.kernels });
  const run = await trainOnImages(ctx, network, 'SimpleConvNet');
  return {
    network,
    spec,
    origin: `SimpleConvNet trained ${run.iters} steps on ${run.trainSize} images (seed ${ctx.seed})`,
    inputShape: specInputShape(spec),
    dtype: 'float32',
  };
}

/** The first `--test-size` test images (all by default) shaped for the model, and their labels. */
export function testSet(
  ctx: ExperimentContext,
  model: StudyModel,
  defaultSize = Infinity,
): { x: FloatTensor; t: Tensor; images: FloatTensor; imageShape: readonly number[] } {
  const data = ctx.images();
  const available = data.xTest.shape[0]!;
  const n = Math.min(positiveInt('test-size', flag(ctx, 'test-size')) ?? defaultSize, available);
  const images = rowsView(data.xTest, 0, n);
  const x = asInput(images, model.inputShape, `the model (${describeSpec(model.spec)})`);
  return {
    x: x.dtype === model.dtype ? x : x.astype(model.dtype),
    t: rowsView(data.tTest, 0, n),
    images,
    imageShape: data.inputShape,
  };
}
