import { existsSync } from 'node:fs';
import { NonFiniteError, Trainer, type TrainResult, type TrainerData } from '@dl/optim';
import { Rng, type RngState } from '@dl/tensor';
import { createReporter, lastEvaluationLine, type Reporter, type Summary } from '../report.js';
import { EXIT, RunError, gpuFailureLine } from '../run-error.js';
import { interruptSignal } from './interrupt.js';
import { LAST, openRun, type OpenedRun, type TrainRunOptions } from './open-run.js';
import { RunRecord, type RunStatus } from './run-record.js';

export { BEST, LAST, type TrainRunOptions } from './open-run.js';
export type { RunStatus } from './run-record.js';

/** A run that has started: run.json written, the Trainer ready (at the checkpoint's step when resumed). */
interface StartedRun {
  opened: OpenedRun;
  trainer: Trainer<TrainerData>;
  record: RunRecord;
  /** Test images each evaluation on the per-epoch images uses. */
  evalImages: number;
}

/** Opens the run, makes its Trainer and writes run.json; a fresh run that fails here leaves no directory. */
async function startRun(
  options: TrainRunOptions,
  reporter: Reporter,
  signal: AbortSignal,
): Promise<StartedRun> {
  const { run } = options;
  try {
    const opened = await openRun(options, reporter);
    const { settings, data, network, optimizer, info } = opened;
    const record = new RunRecord(run, opened, {
      argv: options.argv,
      resume: options.resume === true,
      logEvery: settings.logEvery,
    });
    const trainer = new Trainer({
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
      signal,
      yieldEvery: 20,
      onStep: (e) => {
        reporter.step(e);
        record.step(e);
      },
      onEpoch: (e) => {
        reporter.epoch(e);
        return record.epoch(e);
      },
    });
    const { maxIter } = trainer.config;
    if (info) {
      // A run of another engine (train_ddp.py from `dl export --format pytorch`) has no state of dl's RNG.
      const foreign = (info.trainer.rng as RngState | null) === null;
      trainer.setState({
        ...info.trainer,
        rng: foreign ? new Rng(settings.seed).getState() : info.trainer.rng,
      });
      if (foreign)
        reporter.note(
          `the checkpoint comes from another engine: dl's RNG restarts from the seed ${settings.seed}`,
        );
      if (info.step >= maxIter) {
        throw new RunError(
          `the run is already at step ${info.step} of ${maxIter}; give --iters or --epochs beyond it to continue`,
          EXIT.usage,
        );
      }
    }
    record.attach(trainer);
    if (info) reporter.note(`resuming at step ${info.step} (epoch ${info.epoch}) of ${maxIter}`);
    reporter.note(`run directory: ${run.path}`);
    const evalImages = Math.min(settings.evalSamples ?? Infinity, data.xTest.shape[0]!);
    reporter.start({
      totalSteps: maxIter,
      startStep: trainer.currentIter,
      epochOfStep: (s) => trainer.epochOfStep(s),
      epochBoundary: (k) => trainer.epochBoundary(k),
      evalImages,
    });
    record.start();
    return { opened, trainer, record, evalImages };
  } catch (e) {
    if (!options.resume) run.discardIfUnused();
    throw e;
  }
}

/** The summary of where the run stands: accuracy and loss on the whole test set. */
async function summarize(
  started: StartedRun,
  options: TrainRunOptions,
  status: RunStatus,
  measured: { testAcc: number | undefined; testLoss: number | undefined; seconds: number },
): Promise<Summary> {
  const { trainer, opened } = started;
  return {
    testAcc: measured.testAcc ?? (await trainer.testAccuracyAsync()),
    testLoss: measured.testLoss ?? (await trainer.testLossAsync()),
    epochs: Math.floor(trainer.currentIter / trainer.config.iterPerEpoch),
    steps: trainer.currentIter,
    seconds: measured.seconds,
    aborted: status === 'interrupted',
    status,
    backend: opened.backend.name,
    threads: opened.backend.threads,
    ...(opened.backend.compute === undefined ? {} : { compute: opened.backend.compute }),
    out: options.run.path,
    checkpoint: options.run.file(LAST),
  };
}

/**
 * The end of a run that completed or was interrupted: the evaluation at its last step (into `last`
 * and `best`), then the whole test set, the plots, the `end` record and run.json.
 */
async function finish(
  started: StartedRun,
  options: TrainRunOptions,
  result: TrainResult,
  reporter: Reporter,
): Promise<number> {
  const { trainer, record, evalImages } = started;
  const final = await record.finalEvaluation(evalImages);
  reporter.note(lastEvaluationLine(final, evalImages, record.bestSoFar));
  const wholeSet = evalImages === trainer.data.xTest.shape[0];
  const status: RunStatus = result.aborted ? 'interrupted' : 'completed';
  const summary = await summarize(started, options, status, {
    // An interrupted run has no final measurement from the Trainer: made here, where it stopped.
    testAcc: result.aborted ? (wholeSet ? final.testAcc : undefined) : result.testAcc,
    testLoss: result.testLoss,
    seconds: result.seconds,
  });
  record.end(status, summary);
  reporter.done(summary);
  if (!result.aborted) return EXIT.ok;
  reporter.note(`checkpoint written; continue with: dl train --resume ${options.run.path}`);
  return EXIT.interrupted;
}

/** The loss became NaN/Inf: the summary of the weights as they stood, run.json, and exit code 3. */
async function diverged(
  started: StartedRun,
  options: TrainRunOptions,
  error: NonFiniteError,
  reporter: Reporter,
  seconds: number,
): Promise<never> {
  const summary = await summarize(started, options, 'diverged', {
    testAcc: undefined,
    testLoss: undefined,
    seconds,
  });
  started.record.end('diverged', summary, error.message);
  reporter.done(summary);
  const last = options.run.file(LAST);
  const kept = existsSync(last) ? `; the last good checkpoint is ${last}` : '';
  throw new RunError(`${error.message} Training stopped${kept}`, EXIT.diverged, { cause: error });
}

/** Trains as `settings` say (or continues the run), logging to the run directory; returns the exit code. */
export async function runTraining(options: TrainRunOptions): Promise<number> {
  const reporter = createReporter(options.io, { json: options.json });
  // Installed before anything is written, removed after the last write: an interrupt (Ctrl-C, and the
  // SIGTERM that `pnpm` sends after it) always ends with the checkpoint, the `end` record and the hint.
  const interrupt = interruptSignal(options.io);
  try {
    const started = await startRun(options, reporter, interrupt.signal);
    const began = performance.now();
    let result: TrainResult;
    try {
      result = await started.trainer.train();
    } catch (e) {
      if (e instanceof NonFiniteError)
        await diverged(started, options, e, reporter, (performance.now() - began) / 1000);
      started.record.failed(e instanceof Error ? e.message : String(e));
      throw e;
    }
    return await finish(started, options, result, reporter);
  } catch (e) {
    throw gpuFailure(e, options);
  } finally {
    interrupt.dispose();
  }
}

/**
 * A GPU failure (the device lost, a failed validation, a tensor too large to bind: the webgpu
 * backend's errors start with `webgpu`) is a fact about this machine: one line, exit 1, with where
 * the last good checkpoint is. Anything else as it was.
 */
function gpuFailure(e: unknown, options: TrainRunOptions): unknown {
  // Also when wrapped (building a network reports its errors as the spec's).
  const line = gpuFailureLine(e);
  if (line === undefined) return e;
  const last = options.run.file(LAST);
  const kept = existsSync(last) ? `; the last checkpoint is ${last}` : '';
  return new RunError(`${line}${kept}`, EXIT.failed, { cause: e });
}
