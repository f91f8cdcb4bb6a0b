import { MultiLayerNet } from '@dl/layers';
import {
  Trainer,
  createOptimizer,
  randomSearch,
  rowsView,
  sampleBookHyper,
  splitValidation,
  type BookHyper,
} from '@dl/optim';
import { Rng } from '@dl/tensor';
import { positiveInt } from '../cli/args.js';
import type { ChartPanel } from '../plot/figure.js';
import type { Experiment, ExperimentContext } from './context.js';
import { csv, figure } from './files.js';

interface Outcome {
  valAcc: number;
  trainAcc: number;
  valAccList: number[];
  trainAccList: number[];
}

type Split = ReturnType<typeof splitValidation>;
type Trial = Awaited<ReturnType<typeof randomSearch<BookHyper, Outcome, Split>>>[number];

/** The random search: each trial trains the 7-layer net with SGD and reports its accuracies. */
async function search(
  ctx: ExperimentContext,
  split: Split,
  { trials, epochs, inputSize }: { trials: number; epochs: number; inputSize: number },
): Promise<Trial[]> {
  return randomSearch<BookHyper, Outcome, typeof split>({
    trials,
    data: split,
    seed: ctx.seed,
    sample: sampleBookHyper,
    run: async (hyper, d, { rng }) => {
      const trainer = new Trainer({
        model: new MultiLayerNet({
          inputSize,
          hiddenSizeList: [100, 100, 100, 100, 100, 100],
          outputSize: 10,
          weightDecayLambda: hyper.weightDecay,
          rng,
          backend: ctx.backend.kernels,
        }),
        optimizer: createOptimizer('sgd', { lr: hyper.lr, backend: ctx.backend.kernels }),
        data: { xTrain: d.xTrain, tTrain: d.tTrain, xTest: d.xVal, tTest: d.tVal },
        epochs,
        batchSize: 100,
        rng,
        yieldEvery: 20,
      });
      await trainer.train();
      return {
        valAcc: trainer.testAccList.at(-1) ?? Number.NaN,
        trainAcc: trainer.trainAccList.at(-1) ?? Number.NaN,
        valAccList: trainer.testAccList,
        trainAccList: trainer.trainAccList,
      };
    },
    onTrial: (t) =>
      ctx.log(
        `trial ${String(t.index + 1).padStart(3)}/${trials}  val acc ${t.result.valAcc.toFixed(3)}  ` +
          `lr ${t.hyper.lr.toExponential(2)}  weight decay ${t.hyper.weightDecay.toExponential(2)}`,
      ),
  });
}

/** The results as CSV, the best trials' curves (figure 6-24) and accuracy against each hyperparameter. */
function writeFiles(ctx: ExperimentContext, results: readonly Trial[], trials: number): string[] {
  const best = results.slice(0, 20);
  return [
    csv(
      ctx,
      'hyperparams',
      ['rank', 'trial', 'lr', 'weight_decay', 'val_acc', 'train_acc'],
      results.map((t, rank) => [
        rank + 1,
        t.index + 1,
        t.hyper.lr,
        t.hyper.weightDecay,
        t.result.valAcc,
        t.result.trainAcc,
      ]),
    ),
    ...figure(ctx, 'hyperparams', {
      title: `Best ${best.length} of ${trials} trials: validation (solid) and train (dashed) accuracy per epoch`,
      columns: 5,
      panelWidth: 230,
      panelHeight: 170,
      panels: best.map((t, rank): ChartPanel => ({
        title: `Best-${rank + 1} val ${t.result.valAcc.toFixed(2)}`,
        y: { min: 0, max: 1 },
        legend: 'none',
        series: [
          {
            name: 'val',
            x: t.result.valAccList.map((_, i) => i),
            y: t.result.valAccList,
            color: '#1f77b4',
          },
          {
            name: 'train',
            x: t.result.trainAccList.map((_, i) => i),
            y: t.result.trainAccList,
            color: '#7f7f7f',
            style: 'dashed',
          },
        ],
      })),
    }),
    ...figure(ctx, 'hyperparams-scatter', {
      panels: [
        {
          title: 'Validation accuracy by learning rate (all trials)',
          x: { label: 'learning rate', log: true },
          y: { label: 'validation accuracy', min: 0, max: 1 },
          legend: 'none',
          series: [
            {
              name: 'trial',
              x: results.map((t) => t.hyper.lr),
              y: results.map((t) => t.result.valAcc),
              style: 'points',
            },
          ],
        },
        {
          title: 'Validation accuracy by weight decay',
          x: { label: 'weight decay', log: true },
          y: { label: 'validation accuracy', min: 0, max: 1 },
          legend: 'none',
          series: [
            {
              name: 'trial',
              x: results.map((t) => t.hyper.weightDecay),
              y: results.map((t) => t.result.valAcc),
              style: 'points',
            },
          ],
        },
      ],
    }),
  ];
}

/**
 * Book 6.5.3 (`hyperparameter_optimization.py`): random search of the learning rate (10^[-6,-2)) and
 * weight decay (10^[-8,-4)) for a 7-layer net on 500 images, 20% of them held out for validation;
 * the best trials' curves (figure 6-24).
 */
export const hyperparamsExperiment: Experiment = {
  name: 'hyperparams',
  summary: 'random search of learning rate and weight decay on a validation set (figure 6-24)',
  book: 'ch06/hyperparameter_optimization.py',
  usesData: true,
  usesNetwork: true,
  options: {
    trials: { type: 'string', help: 'number of trials (default 20; the book 100)' },
    epochs: { type: 'string', help: 'epochs per trial (default 50, the book)' },
    'train-size': { type: 'string', help: 'images, 20% of them for validation (default 500, the book)' },
    book: { type: 'boolean', help: "the book's size: 100 trials" },
  },
  async run(ctx) {
    const v = ctx.values as Record<string, string | undefined>;
    const trials = positiveInt('trials', v.trials) ?? (ctx.values.book ? 100 : 20);
    const epochs = positiveInt('epochs', v.epochs) ?? 50;
    const data = ctx.data();
    const n = Math.min(positiveInt('train-size', v['train-size']) ?? 500, data.xTrain.shape[0]!);
    const split = splitValidation(rowsView(data.xTrain, 0, n), rowsView(data.tTrain, 0, n), {
      rng: new Rng(ctx.seed),
    });
    const inputSize = data.inputShape.reduce((a, b) => a * b, 1);
    ctx.log(
      `${trials} trials, ${epochs} epochs each, ${split.xTrain.shape[0]} training and ${split.xVal.shape[0]} validation images`,
    );
    const results = await search(ctx, split, { trials, epochs, inputSize });
    for (const [rank, t] of results.slice(0, 5).entries()) {
      ctx.log(
        `Best-${rank + 1} (val acc: ${t.result.valAcc}) | lr: ${t.hyper.lr}, weight decay: ${t.hyper.weightDecay}`,
      );
    }
    const top = results[0]!;
    return {
      files: writeFiles(ctx, results, trials),
      summary: {
        trials,
        epochs,
        'best val acc': top.result.valAcc,
        'best lr': top.hyper.lr,
        'best weight decay': top.hyper.weightDecay,
        'median val acc': results[Math.floor(results.length / 2)]!.result.valAcc,
      },
    };
  },
};
