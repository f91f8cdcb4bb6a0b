import { availableParallelism } from 'node:os';
import { existsSync } from 'node:fs';
import {
  buildModel as buildFromSpec,
  specInputShape,
  type FloatTensor,
  type LayerNetwork,
  type ModelSpec,
} from '@dl/layers';
import {
  NonFiniteError,
  Trainer,
  createOptimizer,
  type EpochEvent,
  type Optimizer,
  type StepEvent,
} from '@dl/optim';
import { Rng, Tensor, type RngState } from '@dl/tensor';
import { activateBackend, resolveThreads, type ActiveBackend } from '../backend.js';
import type { Io } from '../cli/io.js';
import { buildModel, isConvModel, modelSpec } from '../models.js';
import { createReporter, type Summary } from '../report.js';
import { EXIT, RunError } from '../run-error.js';
import {
  describeSpec,
  readCheckpoint,
  sameSpec,
  writeCheckpoint,
  type CheckpointInfo,
} from '../run/checkpoint.js';
import { runEnvironment } from '../run/run-info.js';
import type { RunDir } from '../run/run-dir.js';
import { writeTrainingPlots } from '../run/train-plots.js';
import { loadData, type LoadedData } from './data.js';
import { interruptSignal } from './interrupt.js';
import { describeLength, describeShape, type TrainSettings } from './settings.js';

const PLOT_EVERY_MS = 15_000;
export const LAST = 'last.safetensors';
export const BEST = 'best.safetensors';

export type RunStatus = 'running' | 'completed' | 'interrupted' | 'diverged' | 'failed';

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

/** The part of run.json that changes as the run goes. */
interface RunProgress {
  status: RunStatus;
  step: number;
  epoch: number;
  best: { step: number; epoch: number; testAcc: number } | null;
  result: Omit<Summary, 'backend' | 'threads'> | null;
  error: string | null;
}

/** The network and optimizer to train: fresh, or restored from the run's last checkpoint. */
interface Start {
  network: LayerNetwork;
  spec: ModelSpec;
  optimizer: Optimizer;
  info: CheckpointInfo | undefined;
}

function startFresh(settings: TrainSettings, inputShape: readonly number[]): Start {
  const optimizer = createOptimizer(settings.optimizer, { lr: settings.lr });
  if (settings.spec) {
    const network = buildFromSpec(settings.spec, { rng: new Rng(settings.seed) });
    return { network, spec: settings.spec, optimizer, info: undefined };
  }
  if (settings.model === 'sequential')
    throw new RunError('the run has a sequential model but no spec in its settings');
  const model = {
    model: settings.model,
    inputShape,
    inputSize: inputShape.reduce((a, b) => a * b, 1),
    outputSize: 10,
    hidden: settings.hidden,
    activation: settings.activation,
    init: settings.init ?? undefined,
    weightDecay: settings.weightDecay,
    batchNorm: settings.batchNorm,
    dropout: settings.dropout,
  };
  return {
    network: buildModel({ ...model, rng: new Rng(settings.seed) }),
    spec: modelSpec(model),
    optimizer,
    info: undefined,
  };
}

function startFromCheckpoint(settings: TrainSettings, inputShape: readonly number[], path: string): Start {
  if (!existsSync(path)) {
    throw new RunError(`${path} does not exist: the run stopped before its first checkpoint; start it again`);
  }
  const { network, spec, optimizer, info } = readCheckpoint(path);
  const expected = startFresh(settings, inputShape).spec;
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
  return { network, spec, optimizer, info };
}

/** The data with each sample shaped as the spec's network takes it; a RunError when the sizes differ. */
function shapedFor(data: LoadedData, shape: readonly number[], specFile: string): LoadedData {
  const want = shape.reduce((a, b) => a * b, 1);
  const have = data.inputShape.reduce((a, b) => a * b, 1);
  if (want !== have) {
    throw new RunError(
      `${specFile}: the network takes ${shape.join('x')} inputs (${want} values per sample), but ${data.source}'s images have ${have}`,
    );
  }
  const as = (x: FloatTensor): FloatTensor => new Tensor(x.data, [x.shape[0]!, ...shape], x.dtype);
  return { ...data, xTrain: as(data.xTrain), xTest: as(data.xTest), inputShape: [...shape] };
}

/** Trains as `settings` say (or continues the run), logging to the run directory; returns the exit code. */
export async function runTraining(options: TrainRunOptions): Promise<number> {
  const { settings, run, io, json } = options;
  const reporter = createReporter(io, { json });
  const threads = resolveThreads(settings.backend, settings.threads ?? undefined, availableParallelism());
  const backend: ActiveBackend = await activateBackend(settings.backend, threads);

  let data: LoadedData;
  try {
    const specShape = settings.spec ? specInputShape(settings.spec) : undefined;
    data = loadData({
      dir: settings.data,
      trainSize: settings.trainSize,
      flatten: specShape ? specShape.length !== 3 : !isConvModel(settings.model),
    });
    if (specShape) data = shapedFor(data, specShape, settings.specFile ?? 'the spec');
  } catch (e) {
    if (!options.resume) run.discardIfUnused();
    throw e;
  }
  reporter.note(
    `data: ${data.source} — ${data.xTrain.shape[0]} training and ${data.xTest.shape[0]} test images ` +
      `(${data.seconds.toFixed(2)} s to load)`,
  );
  const start = options.resume
    ? startFromCheckpoint(settings, data.inputShape, run.file(LAST))
    : startFresh(settings, data.inputShape);
  const { network, spec, optimizer } = start;
  const shape = describeShape(settings, data.inputShape);
  const title = `${settings.spec ? shape : `${settings.model} ${shape}`}, ${settings.optimizer} lr ${settings.lr}, batch ${settings.batchSize}`;
  reporter.note(
    `${options.resume ? 'resume' : 'train'}: ${settings.spec ? `${shape} (${settings.specFile ?? 'spec'})` : `${settings.model} (${shape})`}, ${settings.optimizer} lr ${settings.lr}, ` +
      `batch ${settings.batchSize}, ${describeLength(settings)}, backend ${backend.name} ` +
      `(${backend.threads} thread${backend.threads === 1 ? '' : 's'}), seed ${settings.seed}`,
  );

  const interrupt = interruptSignal(io);
  const began = performance.now();
  const seconds = (): number => (performance.now() - began) / 1000;
  let lossSum = 0;
  let lossCount = 0;
  const onStep = (e: StepEvent): void => {
    reporter.step(e);
    lossSum += e.loss;
    lossCount += 1;
    if (e.step % settings.logEvery === 0) {
      run.appendMetric({
        type: 'step',
        step: e.step,
        epoch: e.epoch,
        loss: lossSum / lossCount,
        imagesPerSecond: e.imagesPerSecond,
        seconds: seconds(),
      });
      lossSum = 0;
      lossCount = 0;
    }
  };

  const previous = options.resume
    ? (run.readJson('run.json') as Partial<RunProgress & { resumed: unknown[] }>)
    : {};
  let best = previous.best ?? null;
  const checkpoint = (file: string, testAcc: number | null): void => {
    const t = trainer;
    const info: CheckpointInfo = {
      step: t.currentIter,
      epoch: t.currentEpoch,
      testAcc,
      trainer: t.getState(),
      settings,
    };
    writeCheckpoint(run.file(file), { network, spec, optimizer, info });
    run.appendMetric({ type: 'checkpoint', step: info.step, epoch: info.epoch, file });
  };
  // Plots are redrawn at an epoch's end at most every few seconds (drawing costs time), and at the end.
  let plotted = performance.now();
  const onEpoch = (e: EpochEvent): void => {
    reporter.epoch(e);
    run.appendMetric({ type: 'epoch', ...e });
    checkpoint(LAST, e.testAcc);
    if (best === null || e.testAcc > best.testAcc) {
      best = { step: e.step, epoch: e.epoch, testAcc: e.testAcc };
      checkpoint(BEST, e.testAcc);
    }
    if (performance.now() - plotted > PLOT_EVERY_MS) {
      writeTrainingPlots((n) => run.file(n), trainer, title);
      plotted = performance.now();
    }
  };
  const trainer: Trainer = new Trainer({
    model: network,
    optimizer,
    data,
    batchSize: settings.batchSize,
    sampling: settings.sampling,
    ...(settings.iterations !== null
      ? { iterations: settings.iterations }
      : { epochs: settings.epochs ?? 20 }),
    seed: settings.seed,
    evaluateSampleNumPerEpoch: settings.evalSamples,
    computeTestLoss: true,
    signal: interrupt.signal,
    yieldEvery: 20,
    onStep,
    onEpoch,
  });
  const { maxIter } = trainer.config;
  if (start.info) {
    // A run of another engine (train_ddp.py from `dl export --format pytorch`) has no state of dl's RNG.
    const foreign = (start.info.trainer.rng as RngState | null) === null;
    const rng = foreign ? new Rng(settings.seed).getState() : start.info.trainer.rng;
    trainer.setState({ ...start.info.trainer, rng });
    if (foreign)
      reporter.note(
        `the checkpoint comes from another engine: dl's RNG restarts from the seed ${settings.seed}`,
      );
    if (start.info.step >= maxIter) {
      interrupt.dispose();
      throw new RunError(
        `the run is already at step ${start.info.step} of ${maxIter}; give --iters or --epochs beyond it to continue`,
        EXIT.usage,
      );
    }
    // Records written after the checkpoint (the process died before the next one) are replayed anyway.
    run.rewriteMetrics(run.readMetrics().filter((r) => r.step <= start.info!.step && r.type !== 'end'));
    reporter.note(`resuming at step ${start.info.step} (epoch ${start.info.epoch}) of ${maxIter}`);
  }
  reporter.note(`run directory: ${run.path}`);
  const t = trainer;
  reporter.start({
    totalSteps: maxIter,
    startStep: trainer.currentIter,
    epochOfStep: (s) => t.epochOfStep(s),
    epochBoundary: (k) => t.epochBoundary(k),
  });

  const fresh = {
    command: ['dl', 'train', ...options.argv],
    cwd: process.cwd(),
    created: new Date().toISOString(),
  };
  const record = {
    ...(options.resume ? (previous as typeof fresh) : fresh),
    settings,
    model: { shape, spec, params: network.params().reduce((n, p) => n + p.value.size, 0) },
    data: {
      source: data.source,
      train: data.xTrain.shape[0],
      test: data.xTest.shape[0],
      inputShape: data.inputShape,
    },
    backend,
    environment: runEnvironment(),
    resumed: options.resume
      ? [
          ...(previous.resumed ?? []),
          {
            at: new Date().toISOString(),
            command: ['dl', 'train', ...options.argv],
            fromStep: trainer.currentIter,
          },
        ]
      : [],
  };
  const save = (progress: RunProgress): void =>
    run.writeJson('run.json', { ...record, ...progress, updated: new Date().toISOString() });
  save({
    status: 'running',
    step: trainer.currentIter,
    epoch: trainer.currentEpoch,
    best,
    result: null,
    error: null,
  });

  try {
    const result = await trainer.train();
    checkpoint(LAST, trainer.testAccList.at(-1) ?? null);
    const summary: Summary = {
      testAcc: result.testAcc,
      testLoss: result.testLoss ?? Number.NaN,
      epochs: result.epochs,
      steps: result.steps,
      seconds: result.seconds,
      aborted: result.aborted,
      backend: backend.name,
      threads: backend.threads,
      out: run.path,
      checkpoint: run.file(LAST),
    };
    writeTrainingPlots((n) => run.file(n), trainer, title);
    const status: RunStatus = result.aborted ? 'interrupted' : 'completed';
    run.appendMetric({
      type: 'end',
      step: result.steps,
      testAcc: summary.testAcc,
      testLoss: summary.testLoss,
      seconds: result.seconds,
      status,
    });
    const { backend: _b, threads: _t, ...rest } = summary;
    save({ status, step: result.steps, epoch: trainer.currentEpoch, best, result: rest, error: null });
    reporter.done(summary);
    if (result.aborted) {
      reporter.note(`checkpoint written; continue with: dl train --resume ${run.path}`);
      return EXIT.interrupted;
    }
    return EXIT.ok;
  } catch (e) {
    const diverged = e instanceof NonFiniteError;
    writeTrainingPlots((n) => run.file(n), trainer, title);
    save({
      status: diverged ? 'diverged' : 'failed',
      step: trainer.currentIter,
      epoch: trainer.currentEpoch,
      best,
      result: null,
      error: e instanceof Error ? e.message : String(e),
    });
    if (diverged) {
      const kept = existsSync(run.file(LAST)) ? `; the last good checkpoint is ${run.file(LAST)}` : '';
      throw new RunError(`${e.message} Training stopped${kept}`, EXIT.diverged, { cause: e });
    }
    throw e;
  } finally {
    interrupt.dispose();
  }
}
