import type { Model } from '@dl/layers';
import { Trainer, createOptimizer, rowsView } from '@dl/optim';
import { positiveInt } from '../cli/args.js';
import type { ChartPanel } from '../plot/figure.js';
import type { ExperimentContext, ExperimentOption } from './context.js';

/** The flags of the over-fitting experiments (book 6.4). */
export const OVERFIT_OPTIONS: Readonly<Record<string, ExperimentOption>> = {
  epochs: { type: 'string', help: 'epochs (default: the book’s)' },
  'train-size': { type: 'string', help: 'training images (default 300, the book)' },
  'test-size': { type: 'string', help: 'test images measured each epoch (default 1000; the book all 10000)' },
  book: { type: 'boolean', help: "the book's size: every epoch measured on all 10 000 test images" },
};

export interface OverfitSizes {
  epochs: number;
  trainSize: number;
  testSize: number;
}

export function overfitSizes(ctx: ExperimentContext, bookEpochs: number): OverfitSizes {
  const v = ctx.values as Record<string, string | undefined>;
  return {
    epochs: positiveInt('epochs', v.epochs) ?? bookEpochs,
    trainSize: positiveInt('train-size', v['train-size']) ?? 300,
    testSize: positiveInt('test-size', v['test-size']) ?? (ctx.values.book ? 10_000 : 1000),
  };
}

export interface AccuracyCurves {
  trainAcc: number[];
  testAcc: number[];
}

/**
 * The book's over-fitting loop (`overfit_weight_decay.py`, `overfit_dropout.py`): SGD lr 0.01,
 * batches of 100 drawn with replacement from the first `trainSize` images, train and test accuracy
 * after the first step of every epoch.
 */
export async function trainForOverfit(
  ctx: ExperimentContext,
  label: string,
  model: Model,
  sizes: OverfitSizes,
): Promise<AccuracyCurves> {
  const data = ctx.data();
  const train = Math.min(sizes.trainSize, data.xTrain.shape[0]!);
  const test = Math.min(sizes.testSize, data.xTest.shape[0]!);
  // The Trainer runs on the model's backend (on a GPU, a loop that reads losses back asynchronously).
  const trainer = new Trainer({
    model,
    optimizer: createOptimizer('sgd', { lr: 0.01, backend: ctx.backend.kernels }),
    data: {
      xTrain: rowsView(data.xTrain, 0, train),
      tTrain: rowsView(data.tTrain, 0, train),
      xTest: rowsView(data.xTest, 0, test),
      tTest: rowsView(data.tTest, 0, test),
    },
    epochs: sizes.epochs,
    batchSize: 100,
    seed: ctx.seed,
    yieldEvery: 20,
    onEpoch: (e) => {
      if (e.epoch % 25 === 1 || e.epoch === sizes.epochs) {
        ctx.log(
          `${label}: epoch ${String(e.epoch).padStart(3)}  train acc ${e.trainAcc.toFixed(4)}  test acc ${e.testAcc.toFixed(4)}`,
        );
      }
    },
  });
  await trainer.train();
  return { trainAcc: trainer.trainAccList, testAcc: trainer.testAccList };
}

/** Train (solid) and test (dashed) accuracy per epoch, figure 6-20 style. */
export function accuracyPanel(
  title: string,
  curves: readonly { name: string; c: AccuracyCurves; color: string }[],
): ChartPanel {
  return {
    title,
    x: { label: 'epochs' },
    y: { label: 'accuracy', min: 0, max: 1 },
    legend: 'bottom-right',
    series: curves.flatMap(({ name, c, color }) => [
      { name: `${name} train`, x: c.trainAcc.map((_, i) => i), y: c.trainAcc, color },
      { name: `${name} test`, x: c.testAcc.map((_, i) => i), y: c.testAcc, color, style: 'dashed' as const },
    ]),
  };
}

/** The last values, where over-fitting shows: final train and test accuracy and their gap. */
export function finalGap(prefix: string, c: AccuracyCurves): Record<string, number> {
  const train = c.trainAcc.at(-1) ?? Number.NaN;
  const test = c.testAcc.at(-1) ?? Number.NaN;
  return { [`${prefix} train acc`]: train, [`${prefix} test acc`]: test, [`${prefix} gap`]: train - test };
}
