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

/**
 * `loss.svg/png` (every step's loss, and its moving average) and `accuracy.svg/png` (train and test
 * accuracy at each evaluation), as the book draws them.
 */
export function writeTrainingPlots(
  base: (name: string) => string,
  history: {
    trainLossList: readonly number[];
    trainAccList: readonly number[];
    testAccList: readonly number[];
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
  const epochs = history.trainAccList.map((_, i) => i + 1);
  writeFigure(base('accuracy'), {
    title,
    panels: [
      {
        x: { label: 'epoch' },
        y: { label: 'accuracy', min: 0, max: 1 },
        legend: 'bottom-right',
        series: [
          { name: 'train', x: epochs, y: history.trainAccList, style: 'line-points' },
          { name: 'test', x: epochs, y: history.testAccList, style: 'line-points' },
        ],
      },
    ],
  });
}
