import { MultiLayerNet, MultiLayerNetExtend } from '@dl/layers';
import { Rng } from '@dl/tensor';
import { nonNegative } from '../cli/args.js';
import { CliError } from '../cli-error.js';
import type { Experiment, ExperimentContext } from './context.js';
import { csv, figure } from './files.js';
import {
  OVERFIT_OPTIONS,
  accuracyPanel,
  finalGap,
  overfitSizes,
  trainForOverfit,
  type AccuracyCurves,
} from './overfit-run.js';

const HIDDEN = [100, 100, 100, 100, 100, 100];

function inputSize(ctx: ExperimentContext): number {
  return ctx.data().inputShape.reduce((a, b) => a * b, 1);
}

function curvesCsv(
  ctx: ExperimentContext,
  name: string,
  runs: readonly { name: string; c: AccuracyCurves }[],
): string {
  const epochs = runs[0]!.c.trainAcc.length;
  return csv(
    ctx,
    name,
    ['epoch', ...runs.flatMap((r) => [`${r.name}_train_acc`, `${r.name}_test_acc`])],
    Array.from({ length: epochs }, (_, e) => [
      e,
      ...runs.flatMap((r) => [r.c.trainAcc[e] ?? null, r.c.testAcc[e] ?? null]),
    ]),
  );
}

/** Book 6.4.1: a 7-layer net on 300 images learns them all and generalises poorly (figure 6-20). */
export const overfitExperiment: Experiment = {
  name: 'overfit',
  summary: 'train vs test accuracy of a 7-layer net on 300 images (figure 6-20)',
  book: 'ch06/overfit_weight_decay.py with weight_decay_lambda = 0',
  usesData: true,
  usesNetwork: true,
  options: OVERFIT_OPTIONS,
  async run(ctx) {
    const sizes = overfitSizes(ctx, 201);
    const model = new MultiLayerNet({
      inputSize: inputSize(ctx),
      hiddenSizeList: HIDDEN,
      outputSize: 10,
      rng: new Rng(ctx.seed),
      backend: ctx.backend.kernels,
    });
    const c = await trainForOverfit(ctx, 'no regularisation', model, sizes);
    return {
      files: [
        curvesCsv(ctx, 'overfit', [{ name: 'plain', c }]),
        ...figure(ctx, 'overfit', {
          panels: [
            accuracyPanel(`Over-fitting: ${sizes.trainSize} training images, 6×100 hidden, SGD lr 0.01`, [
              { name: '', c, color: '#1f77b4' },
            ]),
          ],
        }),
      ],
      summary: { ...finalGap('final', c), 'max test acc': Math.max(...c.testAcc) },
    };
  },
};

/** Book 6.4.1: weight decay λ = 0.1 narrows the gap between train and test accuracy (figure 6-21). */
export const weightDecayExperiment: Experiment = {
  name: 'weight-decay',
  summary: 'the same over-fitting set-up with weight decay λ = 0.1 vs none (figure 6-21)',
  book: 'ch06/overfit_weight_decay.py',
  usesData: true,
  usesNetwork: true,
  options: { ...OVERFIT_OPTIONS, lambda: { type: 'string', help: 'weight decay λ (default 0.1, the book)' } },
  async run(ctx) {
    const sizes = overfitSizes(ctx, 201);
    const lambda = nonNegative('lambda', ctx.values.lambda as string | undefined) ?? 0.1;
    const n = inputSize(ctx);
    const make = (weightDecayLambda: number): MultiLayerNet =>
      new MultiLayerNet({
        inputSize: n,
        hiddenSizeList: HIDDEN,
        outputSize: 10,
        weightDecayLambda,
        rng: new Rng(ctx.seed),
        backend: ctx.backend.kernels,
      });
    const plain = await trainForOverfit(ctx, 'λ = 0', make(0), sizes);
    const decay = await trainForOverfit(ctx, `λ = ${lambda}`, make(lambda), sizes);
    return {
      files: [
        curvesCsv(ctx, 'weight-decay', [
          { name: 'no_decay', c: plain },
          { name: 'decay', c: decay },
        ]),
        ...figure(ctx, 'weight-decay', {
          panels: [
            accuracyPanel(`Weight decay λ = ${lambda} vs none (${sizes.trainSize} training images)`, [
              { name: 'λ=0', c: plain, color: '#7f7f7f' },
              { name: `λ=${lambda}`, c: decay, color: '#1f77b4' },
            ]),
          ],
        }),
      ],
      summary: { lambda, ...finalGap('no decay', plain), ...finalGap('decay', decay) },
    };
  },
};

/** Book 6.4.3: Dropout (ratio 0.2) on the 7-layer net, 301 epochs (figure 6-23). */
export const dropoutExperiment: Experiment = {
  name: 'dropout',
  summary: 'Dropout 0.2 vs none on the over-fitting set-up (figure 6-23)',
  book: 'ch06/overfit_dropout.py',
  usesData: true,
  usesNetwork: true,
  options: { ...OVERFIT_OPTIONS, ratio: { type: 'string', help: 'dropout ratio (default 0.2, the book)' } },
  async run(ctx) {
    const sizes = overfitSizes(ctx, 301);
    const ratio = nonNegative('ratio', ctx.values.ratio as string | undefined) ?? 0.2;
    if (ratio >= 1) throw new CliError(`--ratio must be below 1, got ${ratio}`);
    const n = inputSize(ctx);
    const make = (useDropout: boolean): MultiLayerNetExtend =>
      new MultiLayerNetExtend({
        inputSize: n,
        hiddenSizeList: HIDDEN,
        outputSize: 10,
        useDropout,
        dropoutRatio: ratio,
        rng: new Rng(ctx.seed),
        backend: ctx.backend.kernels,
      });
    const plain = await trainForOverfit(ctx, 'no dropout', make(false), sizes);
    const dropped = await trainForOverfit(ctx, `dropout ${ratio}`, make(true), sizes);
    return {
      files: [
        curvesCsv(ctx, 'dropout', [
          { name: 'no_dropout', c: plain },
          { name: 'dropout', c: dropped },
        ]),
        ...figure(ctx, 'dropout', {
          panels: [
            accuracyPanel(`Dropout ${ratio} vs none (${sizes.trainSize} training images)`, [
              { name: 'none', c: plain, color: '#7f7f7f' },
              { name: `dropout ${ratio}`, c: dropped, color: '#1f77b4' },
            ]),
          ],
        }),
      ],
      summary: { ratio, ...finalGap('no dropout', plain), ...finalGap('dropout', dropped) },
    };
  },
};
