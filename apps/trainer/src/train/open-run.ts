import { availableParallelism } from 'node:os';
import { existsSync } from 'node:fs';
import { buildModel, specInputShape, type LayerNetwork, type ModelSpec } from '@dl/layers';
import { removeStaleTempFiles } from '@dl/layers/node';
import { createOptimizer, type Optimizer } from '@dl/optim';
import { Rng, Tensor, type Kernels } from '@dl/tensor';
import { activateBackend, resolveThreads, type ActiveBackend } from '../backend.js';
import type { Io } from '../cli/io.js';
import { CliError } from '../cli-error.js';
import { isConvModel, modelSpec } from '../models.js';
import type { Reporter } from '../report.js';
import { RunError } from '../run-error.js';
import { describeSpec, readCheckpoint, sameSpec, type CheckpointInfo } from '../run/checkpoint.js';
import type { RunDir } from '../run/run-dir.js';
import { loadByteData, type LoadedByteData } from './data.js';
import { describeLength, describeShape, type TrainSettings } from './settings.js';

export const LAST = 'last.safetensors';
export const BEST = 'best.safetensors';

export interface TrainRunOptions {
  settings: TrainSettings;
  run: RunDir;
  io: Io;
  json: boolean;
  /** The command line, for run.json. */
  argv: readonly string[];
  /** Continue the run in `run` from its `last.safetensors`. */
  resume?: boolean;
}

/** A run ready to train: its data, its network (fresh, or restored from the last checkpoint), where it computes. */
export interface OpenedRun {
  settings: TrainSettings;
  /** Images kept as bytes: the Trainer scales each batch (the same numbers, a quarter of the memory). */
  data: LoadedByteData;
  backend: ActiveBackend;
  /** The network's one description: the `--spec` file's, or what `--model` and its flags make. */
  spec: ModelSpec;
  network: LayerNetwork;
  optimizer: Optimizer;
  /** Where a resumed run stood at its last checkpoint; undefined for a fresh run. */
  info: CheckpointInfo | undefined;
  /** `784-50-10`, `1x28x28 conv, hidden 100`, ...: for messages and run.json. */
  shape: string;
  /** The plots' title. */
  title: string;
}

/** The run's network description: its `--spec`, or the book's network that `--model` names. */
function runSpec(settings: TrainSettings, inputShape: readonly number[]): ModelSpec {
  if (settings.spec) return settings.spec;
  if (settings.model === 'sequential')
    throw new RunError('the run has a sequential model but no spec in its settings');
  return modelSpec({ ...settings, model: settings.model }, inputShape);
}

/** The data with each sample shaped as the spec's network takes it; a RunError when the sizes differ. */
function shapedFor(data: LoadedByteData, shape: readonly number[], specFile: string): LoadedByteData {
  const want = shape.reduce((a, b) => a * b, 1);
  const have = data.inputShape.reduce((a, b) => a * b, 1);
  if (want !== have) {
    throw new RunError(
      `${specFile}: the network takes ${shape.join('x')} inputs (${want} values per sample), but ${data.source}'s images have ${have}`,
    );
  }
  const as = (x: Tensor<'uint8'>): Tensor<'uint8'> => new Tensor(x.data, [x.shape[0]!, ...shape], x.dtype);
  return { ...data, xTrain: as(data.xTrain), xTest: as(data.xTest), inputShape: [...shape] };
}

/** The run's data, shaped for its network; settings that the data rules out are refused (exit 2). */
function loadRunData(settings: TrainSettings): LoadedByteData {
  const specShape = settings.spec ? specInputShape(settings.spec) : undefined;
  let data = loadByteData({
    dir: settings.data,
    trainSize: settings.trainSize,
    flatten: specShape ? specShape.length !== 3 : !isConvModel(settings.model),
  });
  if (specShape) data = shapedFor(data, specShape, settings.specFile ?? 'the spec');
  const trainImages = data.xTrain.shape[0]!;
  if (settings.batchSize > trainImages) {
    throw new CliError(
      `--batch-size ${settings.batchSize}: a batch is at most the training set, and ${data.source} ` +
        `has ${trainImages} training images${settings.trainSize === null ? '' : ' (--train-size)'}`,
    );
  }
  return data;
}

function startFresh(
  settings: TrainSettings,
  spec: ModelSpec,
  backend: Kernels,
): Pick<OpenedRun, 'network' | 'optimizer' | 'info'> {
  return {
    // On the backend `dl` activated, explicitly: the network's tensors live in its storage.
    network: buildModel(spec, { rng: new Rng(settings.seed), backend }),
    optimizer: createOptimizer(settings.optimizer, { lr: settings.lr, backend }),
    info: undefined,
  };
}

/** The run's last checkpoint, after checking it holds the network the settings describe (specs compared, nothing built). */
function startFromCheckpoint(
  settings: TrainSettings,
  expected: ModelSpec,
  path: string,
  backend: Kernels,
): Pick<OpenedRun, 'network' | 'optimizer' | 'info'> {
  if (!existsSync(path)) {
    throw new RunError(`${path} does not exist: the run stopped before its first checkpoint; start it again`);
  }
  const { network, spec, optimizer, info } = readCheckpoint(path, backend);
  if (!sameSpec(spec, expected)) {
    throw new RunError(
      `${path} holds a ${describeSpec(spec)}, but the run's settings make a ${describeSpec(expected)}`,
    );
  }
  if (optimizer === undefined || info === undefined) {
    throw new RunError(
      `${path} is a saved model without training state (optimizer, progress); it cannot be resumed`,
    );
  }
  if (optimizer.kind !== settings.optimizer) {
    throw new RunError(`${path} holds ${optimizer.kind} state, but the run uses ${settings.optimizer}`);
  }
  return { network, optimizer, info };
}

/**
 * Opens a run: activates the backend, loads the data, and builds the network and optimizer (or
 * restores them from the run's `last.safetensors`). Writes nothing to the run directory except that
 * a resumed run's stale temporary files (a process killed mid-write) are removed.
 */
export async function openRun(options: TrainRunOptions, reporter: Reporter): Promise<OpenedRun> {
  const { settings, run } = options;
  const threads = resolveThreads(settings.backend, settings.threads ?? undefined, availableParallelism());
  const backend = await activateBackend(settings.backend, threads, {
    precision: settings.precision ?? 'float32',
  });
  if (backend.warning !== undefined) reporter.note(backend.warning);
  const data = loadRunData(settings);
  reporter.note(
    `data: ${data.source} — ${data.xTrain.shape[0]} training and ${data.xTest.shape[0]} test images ` +
      `(${data.seconds.toFixed(2)} s to load)`,
  );
  const spec = runSpec(settings, data.inputShape);
  if (options.resume) for (const file of [LAST, BEST]) removeStaleTempFiles(run.file(file));
  const start = options.resume
    ? startFromCheckpoint(settings, spec, run.file(LAST), backend.kernels)
    : startFresh(settings, spec, backend.kernels);
  const shape = describeShape(settings, data.inputShape);
  const training = `${settings.optimizer} lr ${settings.lr}, batch ${settings.batchSize}`;
  reporter.note(
    `${options.resume ? 'resume' : 'train'}: ${settings.spec ? `${shape} (${settings.specFile ?? 'spec'})` : `${settings.model} (${shape})`}, ${training}, ` +
      `${describeLength(settings)}, backend ${backend.name} ` +
      `(${backend.threads} thread${backend.threads === 1 ? '' : 's'}), seed ${settings.seed}`,
  );
  const title = `${settings.spec ? shape : `${settings.model} ${shape}`}, ${training}`;
  return { settings, data, backend, spec, ...start, shape, title };
}
