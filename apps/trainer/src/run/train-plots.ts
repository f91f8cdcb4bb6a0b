import { writeFigure } from '../plot/write-figure.js';

/** Mean over a trailing window of `w` values (the first ones average what there is). */
export function movingAverage(values: readonly number[], w: number): number[] {
  const out: number[] = [];
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    sum += values[i]!;
    if (i >= w) sum -= values[i - w]!;
    out.push(sum / Math.min(i + 1, w));
  }
  return out;
}

/** One evaluation of the run: accuracies on the per-epoch images after `step` steps. */
export interface AccuracyPoint {
  step: number;
  trainAcc: number;
  testAcc: number;
}

/**
 * `loss.svg/png` (every step's loss, and its moving average) and `accuracy.svg/png` (train and test
 * accuracy at each evaluation: the per-epoch ones and the run's last step), as the book draws them.
 * The accuracy's x axis is the step, from 0 to `steps` (the steps the run has done), so an evaluation
 * at the last step sits where it was made.
 */
export function writeTrainingPlots(
  base: (name: string) => string,
  history: {
    trainLossList: readonly number[];
    accuracy: readonly AccuracyPoint[];
    steps: number;
  },
  title: string,
): void {
  const losses = history.trainLossList;
  const steps = losses.map((_, i) => i + 1);
  const window = Math.max(1, Math.round(losses.length / 50));
  writeFigure(base('loss'), {
    title,
    panels: [
      {
        x: { label: 'iteration' },
        y: { label: 'loss', min: 0 },
        series: [
          { name: 'loss', x: steps, y: losses, color: '#9ecae1', width: 1 },
          { name: `mean of ${window}`, x: steps, y: movingAverage(losses, window), color: '#1f77b4' },
        ],
      },
    ],
  });
  const at = history.accuracy.map((p) => p.step);
  writeFigure(base('accuracy'), {
    title,
    panels: [
      {
        x: { label: 'iteration', min: 0, max: Math.max(1, history.steps) },
        y: { label: 'accuracy', min: 0, max: 1 },
        legend: 'bottom-right',
        series: [
          { name: 'train', x: at, y: history.accuracy.map((p) => p.trainAcc), style: 'line-points' },
          { name: 'test', x: at, y: history.accuracy.map((p) => p.testAcc), style: 'line-points' },
        ],
      },
    ],
  });
}
