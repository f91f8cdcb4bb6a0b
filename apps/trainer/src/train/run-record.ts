import { hostCopy } from '@dl/layers';
import type { EpochEvent, StepEvent, Trainer, TrainerData } from '@dl/optim';
import { isDeviceResident } from '@dl/tensor';
import type { Summary } from '../report.js';
import { writeCheckpoint, type CheckpointInfo } from '../run/checkpoint.js';
import { runEnvironment } from '../run/run-info.js';
import type { RunDir } from '../run/run-dir.js';
import { writeTrainingPlots, type AccuracyPoint } from '../run/train-plots.js';
import { BEST, LAST, type OpenedRun } from './open-run.js';

const PLOT_EVERY_MS = 15_000;

export type RunStatus = 'running' | 'completed' | 'interrupted' | 'diverged' | 'failed';

/** The evaluation that `best.safetensors` holds. */
export interface BestRecord {
  step: number;
  epoch: number;
  testAcc: number;
}

/** The part of run.json that changes as the run goes. */
interface RunProgress {
  status: RunStatus;
  step: number;
  epoch: number;
  best: BestRecord | null;
  result: Omit<Summary, 'backend' | 'threads'> | null;
  error: string | null;
}

/** An evaluation on the per-epoch images: one of the epochs', or the one at the run's last step. */
export interface Evaluation extends AccuracyPoint {
  epoch: number;
}

/**
 * Everything a run leaves in its directory: run.json (settings, environment, status, result),
 * metrics.jsonl, the checkpoints (`last` every epoch and at the end, `best` whenever an evaluation
 * beats it) and the plots. The Trainer's callbacks feed it; `attach` gives it the Trainer.
 */
export class RunRecord {
  private trainer: Trainer<TrainerData> | undefined;
  private readonly began = performance.now();
  private lossSum = 0;
  private lossCount = 0;
  private plotted = performance.now();
  private best: BestRecord | null;
  /** The evaluation at the last step, once `finalEvaluation` made it (plotted after the epochs'). */
  private final: Evaluation | undefined;
  private readonly previous: Partial<RunProgress & { resumed: unknown[] }>;
  private record: Record<string, unknown> = {};

  constructor(
    private readonly run: RunDir,
    private readonly opened: OpenedRun,
    private readonly options: { argv: readonly string[]; resume: boolean; logEvery: number },
  ) {
    this.previous = options.resume
      ? (run.readJson('run.json') as Partial<RunProgress & { resumed: unknown[] }>)
      : {};
    this.best = this.previous.best ?? null;
  }

  /** The evaluation `best.safetensors` holds (null before the first). */
  get bestSoFar(): BestRecord | null {
    return this.best;
  }

  private get t(): Trainer<TrainerData> {
    if (this.trainer === undefined) throw new Error('RunRecord: attach the Trainer first');
    return this.trainer;
  }

  private seconds(): number {
    return (performance.now() - this.began) / 1000;
  }

  /** Gives the record its Trainer; a resumed run's metrics log drops what came after its checkpoint. */
  attach(trainer: Trainer<TrainerData>): void {
    this.trainer = trainer;
    const info = this.opened.info;
    if (info !== undefined) {
      // Records written after the checkpoint (the process died before the next one) are replayed
      // anyway; the end of the previous part (its last evaluation and `end`) is no longer the end.
      this.run.rewriteMetrics(
        this.run.readMetrics().filter((r) => r.step <= info.step && r.type !== 'end' && r.type !== 'eval'),
      );
    }
  }

  /** Writes run.json as the run starts (status `running`). */
  start(): void {
    const { opened, options, previous } = this;
    const { data, network } = opened;
    const command = ['dl', 'train', ...options.argv];
    const fresh = { command, cwd: process.cwd(), created: new Date().toISOString() };
    this.record = {
      ...(options.resume ? previous : fresh),
      settings: opened.settings,
      model: {
        shape: opened.shape,
        spec: opened.spec,
        params: network.params().reduce((n, p) => n + p.value.size, 0),
      },
      data: {
        source: data.source,
        train: data.xTrain.shape[0],
        test: data.xTest.shape[0],
        inputShape: data.inputShape,
      },
      backend: {
        name: opened.backend.name,
        threads: opened.backend.threads,
        description: opened.backend.description,
      },
      environment: runEnvironment(),
      resumed: options.resume
        ? [
            ...(previous.resumed ?? []),
            { at: new Date().toISOString(), command, fromStep: this.t.currentIter },
          ]
        : [],
    };
    this.save({ status: 'running', result: null, error: null });
  }

  private save(progress: Pick<RunProgress, 'status' | 'result' | 'error'>): void {
    const full: RunProgress = {
      ...progress,
      step: this.t.currentIter,
      epoch: this.t.currentEpoch,
      best: this.best,
    };
    this.run.writeJson('run.json', { ...this.record, ...full, updated: new Date().toISOString() });
  }

  /** A `step` record every `logEvery` steps: the mean loss since the last one. */
  step(e: StepEvent): void {
    this.lossSum += e.loss;
    this.lossCount += 1;
    if (e.step % this.options.logEvery !== 0) return;
    this.run.appendMetric({
      type: 'step',
      step: e.step,
      epoch: e.epoch,
      loss: this.lossSum / this.lossCount,
      imagesPerSecond: e.imagesPerSecond,
      seconds: this.seconds(),
    });
    this.lossSum = 0;
    this.lossCount = 0;
  }

  /**
   * An epoch's evaluation: its record, `last`, `best` if it beats it, and the plots now and then
   * (drawing costs time). Synchronous on CPU backends; on a GPU the checkpoints read the weights
   * back first, and the Trainer awaits the promise before the next step.
   */
  epoch(e: EpochEvent): void | Promise<void> {
    this.run.appendMetric({ type: 'epoch', ...e });
    return then(this.checkpoint(LAST, e.testAcc), () =>
      then(this.considerBest(e), () => {
        if (performance.now() - this.plotted > PLOT_EVERY_MS) this.plots();
      }),
    );
  }

  /**
   * The evaluation at the run's last step, on the same images as the epochs' (so `best` compares
   * like with like): recorded, written into `last`, and into `best` when it beats it. An epoch's
   * evaluation made at this very step is used as it is.
   */
  async finalEvaluation(images: number): Promise<Evaluation> {
    const t = this.t;
    const list = t.testAccList;
    const step = t.currentIter;
    const lastEpochStep = list.length > 0 ? this.evaluationStep(list.length) : -1;
    const e: Evaluation =
      lastEpochStep === step
        ? { step, epoch: t.currentEpoch, trainAcc: t.trainAccList.at(-1)!, testAcc: list.at(-1)! }
        : { step, epoch: t.currentEpoch, ...(await t.evaluateAsync()) };
    if (lastEpochStep !== step) {
      this.final = e;
      this.run.appendMetric({ type: 'eval', ...e, images, seconds: this.seconds() });
    }
    await this.checkpoint(LAST, e.testAcc);
    await this.considerBest(e);
    return e;
  }

  /** The step after which the `k`-th (1-based) per-epoch evaluation ran: the first step of epoch `k`. */
  private evaluationStep(k: number): number {
    return this.t.epochBoundary(k - 1) + 1;
  }

  private considerBest(e: { step: number; epoch: number; testAcc: number }): void | Promise<void> {
    if (this.best !== null && !(e.testAcc > this.best.testAcc)) return;
    this.best = { step: e.step, epoch: e.epoch, testAcc: e.testAcc };
    return this.checkpoint(BEST, e.testAcc);
  }

  /**
   * Writes `file` with the run as it stands now. On a backend whose tensors the CPU cannot read
   * synchronously (`webgpu`) the weights and optimizer slots are read back first (the Trainer's
   * state is taken at once, so it matches them: no step runs in between).
   */
  private checkpoint(file: string, testAcc: number | null): void | Promise<void> {
    const t = this.t;
    const { network, spec, optimizer, settings } = this.opened;
    const info: CheckpointInfo = {
      step: t.currentIter,
      epoch: t.currentEpoch,
      testAcc,
      trainer: t.getState(),
      settings,
    };
    const written = (): void =>
      this.run.appendMetric({ type: 'checkpoint', step: info.step, epoch: info.epoch, file });
    if (!isDeviceResident(network.backend)) {
      writeCheckpoint(this.run.file(file), { network, spec, optimizer, info });
      written();
      return;
    }
    return (async () => {
      const host = await hostCopy(network, spec);
      const optimizerState = await optimizer.getStateAsync!();
      writeCheckpoint(this.run.file(file), { network: host, spec, optimizer, optimizerState, info });
      written();
    })();
  }

  /** Redraws loss.png/svg and accuracy.png/svg (the evaluation at the last step included, once made). */
  plots(): void {
    const t = this.t;
    const accuracy: AccuracyPoint[] = t.testAccList.map((testAcc, i) => ({
      step: this.evaluationStep(i + 1),
      trainAcc: t.trainAccList[i]!,
      testAcc,
    }));
    if (this.final !== undefined) accuracy.push(this.final);
    writeTrainingPlots(
      (n) => this.run.file(n),
      { trainLossList: t.trainLossList, accuracy, steps: t.currentIter },
      this.opened.title,
    );
    this.plotted = performance.now();
  }

  /** The run ended (completed, interrupted or diverged): plots, the `end` record and run.json. */
  end(status: RunStatus, summary: Summary, error: string | null = null): void {
    this.plots();
    this.run.appendMetric({
      type: 'end',
      step: summary.steps,
      testAcc: summary.testAcc,
      testLoss: summary.testLoss,
      seconds: summary.seconds,
      status,
    });
    const { backend: _b, threads: _t, ...result } = summary;
    this.save({ status, result, error });
  }

  /** The run failed with an error (not a lost loss): plots and run.json, no result. */
  failed(error: string): void {
    this.plots();
    this.save({ status: 'failed', result: null, error });
  }
}

/** Runs `next` after `first`: at once when `first` was synchronous, else when its promise settles. */
function then(first: void | Promise<void>, next: () => void | Promise<void>): void | Promise<void> {
  return first instanceof Promise ? first.then(next) : next();
}
