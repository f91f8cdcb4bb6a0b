import type { EpochEvent, StepEvent } from '@dl/optim';
import type { Io } from './cli/io.js';
import { formatDuration, renderProgress } from './progress-bar.js';

/** The last line of `dl train`, and of `dl train --json` (`type: 'summary'`). */
export interface Summary {
  testAcc: number;
  testLoss: number;
  epochs: number;
  steps: number;
  seconds: number;
  aborted: boolean;
  /** How the run ended: `completed`, `interrupted` (Ctrl-C) or `diverged` (the loss became NaN/Inf). */
  status: string;
  backend: string;
  threads: number;
  [setting: string]: unknown;
}

/** Where training stands, for the progress display. */
export interface ProgressPlan {
  totalSteps: number;
  /** Steps already done when this process started (a resumed run). */
  startStep: number;
  /** Epoch number of the step with 0-based index `s` (1-based), and where that epoch's steps begin and end. */
  epochOfStep: (s: number) => number;
  epochBoundary: (k: number) => number;
  /** Test images each per-epoch evaluation uses (`--eval-samples`, at most the test set). */
  evalImages?: number;
}

/** How training progress reaches the user. */
export interface Reporter {
  start(plan: ProgressPlan): void;
  step(e: StepEvent): void;
  epoch(e: EpochEvent): void;
  /** A line of information (settings, where files went); not shown with --json. */
  note(line: string): void;
  done(summary: Summary): void;
}

const pct = (x: number): string => `${(100 * x).toFixed(2)}%`;

function epochLine(e: EpochEvent, images: number | undefined): string {
  const count = images === undefined ? '' : ` (${images} images)`;
  return (
    `epoch ${String(e.epoch).padStart(3)}  step ${String(e.step).padStart(6)}  loss ${e.loss.toFixed(4)}  ` +
    `train acc ${pct(e.trainAcc)}  test acc ${pct(e.testAcc)}${count}  ${Math.round(e.imagesPerSecond)} images/s  ` +
    `${e.seconds.toFixed(1)} s`
  );
}

/**
 * `step 200: train acc 90.00%  test acc 89.40% (1000 images); best.safetensors: step 200 (89.40%)`:
 * the evaluation at the run's last step and the checkpoint `best` now holds.
 */
export function lastEvaluationLine(
  e: { step: number; trainAcc: number; testAcc: number },
  images: number,
  best: { step: number; testAcc: number } | null,
): string {
  const kept = best === null ? '' : `; best.safetensors: step ${best.step} (${pct(best.testAcc)})`;
  return `step ${e.step}: train acc ${pct(e.trainAcc)}  test acc ${pct(e.testAcc)} (${images} images)${kept}`;
}

function summaryLines(s: Summary): string[] {
  const lines =
    s.status === 'diverged'
      ? [`stopped after ${s.steps} steps: the loss of the next one became NaN/Inf`]
      : s.aborted
        ? [`stopped after ${s.steps} steps`]
        : [];
  lines.push(
    `test accuracy: ${pct(s.testAcc)}  test loss: ${s.testLoss.toFixed(4)}  ` +
      `(${s.steps} steps, ${s.seconds.toFixed(1)} s, backend ${s.backend}, ${s.threads} thread${s.threads === 1 ? '' : 's'})`,
  );
  return lines;
}

/**
 * `--json`: one object per epoch and a final summary, one per line, and nothing else on stdout.
 * A terminal: a progress bar redrawn in place (loss, accuracy, images/s, ETA) and a line per
 * epoch. Otherwise (a pipe, CI): a line per epoch and a step line every few seconds.
 */
export function createReporter(io: Io, options: { json: boolean; plainEverySeconds?: number }): Reporter {
  if (options.json) {
    return {
      start: () => {},
      step: () => {},
      note: () => {},
      epoch: (e) => io.write(`${JSON.stringify({ type: 'epoch', ...e })}\n`),
      done: (s) => io.write(`${JSON.stringify({ type: 'summary', ...s })}\n`),
    };
  }
  let plan: ProgressPlan = { totalSteps: 0, startStep: 0, epochOfStep: () => 1, epochBoundary: () => 0 };
  const began = performance.now();
  let lastDraw = -Infinity;
  let lastPlain = performance.now();
  let drawn = false;
  let acc: { train: number; test: number } | undefined;
  const clear = (): void => {
    if (drawn) io.write('\r\x1b[K');
    drawn = false;
  };
  const eta = (step: number): number | undefined => {
    const done = step - plan.startStep;
    if (done <= 0) return undefined;
    return (((performance.now() - began) / 1000) * (plan.totalSteps - step)) / done;
  };
  const plainEvery = (options.plainEverySeconds ?? 10) * 1000;
  return {
    start(p) {
      plan = p;
    },
    step(e) {
      const now = performance.now();
      if (!io.isTTY) {
        if (now - lastPlain < plainEvery) return;
        lastPlain = now;
        const left = eta(e.step);
        io.write(
          `step ${e.step}/${plan.totalSteps} (epoch ${e.epoch})  loss ${e.loss.toFixed(4)}  ` +
            `${Math.round(e.imagesPerSecond)} images/s  ETA ${left === undefined ? '--' : formatDuration(left)}\n`,
        );
        return;
      }
      if (now - lastDraw < 100 && e.step < plan.totalSteps) return;
      lastDraw = now;
      const start = plan.epochBoundary(e.epoch - 1);
      const end = Math.min(plan.epochBoundary(e.epoch), plan.totalSteps);
      const line = renderProgress(
        {
          epoch: e.epoch,
          epochs: plan.epochOfStep(plan.totalSteps - 1),
          fraction: end > start ? (e.step - start) / (end - start) : 1,
          step: e.step,
          totalSteps: plan.totalSteps,
          loss: e.loss,
          trainAcc: acc?.train,
          testAcc: acc?.test,
          imagesPerSecond: e.imagesPerSecond,
          eta: eta(e.step),
        },
        io.columns,
      );
      io.write(`\r\x1b[K${line}`);
      drawn = true;
    },
    epoch(e) {
      acc = { train: e.trainAcc, test: e.testAcc };
      clear();
      io.write(`${epochLine(e, plan.evalImages)}\n`);
    },
    note(line) {
      clear();
      io.write(`${line}\n`);
    },
    done(s) {
      clear();
      for (const line of summaryLines(s)) io.write(`${line}\n`);
    },
  };
}
