import type { EpochEvent, StepEvent } from '@dl/optim';

export interface Summary {
  testAcc: number;
  testLoss: number;
  epochs: number;
  steps: number;
  seconds: number;
  aborted: boolean;
  backend: string;
  threads: number;
  [setting: string]: unknown;
}

/** How training progress reaches the user. */
export interface Reporter {
  step(e: StepEvent): void;
  epoch(e: EpochEvent): void;
  done(summary: Summary): void;
}

const pct = (x: number): string => `${(100 * x).toFixed(2)}%`;

/**
 * `--json`: one object per epoch and a final summary, one per line, and nothing else on stdout.
 * A terminal: a progress line redrawn in place (loss, images/s). Otherwise (a pipe, CI): plain lines.
 */
export function createReporter(options: { json: boolean; tty: boolean }): Reporter {
  if (options.json) {
    return {
      step: () => {},
      epoch: (e) => console.log(JSON.stringify({ type: 'epoch', ...e })),
      done: (s) => console.log(JSON.stringify({ type: 'summary', ...s })),
    };
  }
  let lastDraw = 0;
  let drawn = false;
  const clear = (): void => {
    if (drawn) process.stdout.write('\r\x1b[K');
    drawn = false;
  };
  return {
    step(e) {
      if (!options.tty) return;
      const now = performance.now();
      if (now - lastDraw < 100) return;
      lastDraw = now;
      process.stdout.write(
        `\r\x1b[Kstep ${e.step} (epoch ${e.epoch})  loss ${e.loss.toFixed(4)}  ${Math.round(e.imagesPerSecond)} images/s`,
      );
      drawn = true;
    },
    epoch(e) {
      clear();
      console.log(
        `epoch ${String(e.epoch).padStart(3)}  step ${String(e.step).padStart(6)}  loss ${e.loss.toFixed(4)}  ` +
          `train acc ${pct(e.trainAcc)}  test acc ${pct(e.testAcc)}  ${Math.round(e.imagesPerSecond)} images/s  ` +
          `${e.seconds.toFixed(1)} s`,
      );
    },
    done(s) {
      clear();
      if (s.aborted) console.log(`stopped after ${s.steps} steps`);
      console.log(
        `test accuracy: ${pct(s.testAcc)}  test loss: ${s.testLoss.toFixed(4)}  (${s.steps} steps, ${s.seconds.toFixed(1)} s, backend ${s.backend})`,
      );
    },
  };
}
