import { MultiLayerNet } from '@dl/layers';
import {
  bookOptimizerCompare,
  createOptimizer,
  optimizePath,
  OPTIMIZER_CLASS_NAMES,
  type OptimizerName,
} from '@dl/optim';
import { Rng } from '@dl/tensor';
import { intList, positiveInt } from '../cli/args.js';
import { PALETTE } from '../plot/figure.js';
import type { Experiment, ExperimentContext } from './context.js';
import { ellipseContours } from './contours.js';
import { csv, figure } from './files.js';
import { trainSideBySide } from './side-by-side.js';
import { smoothCurve } from './smooth.js';

const FOUR = ['sgd', 'momentum', 'adagrad', 'adam'] as const satisfies readonly OptimizerName[];

function paths(ctx: ExperimentContext): { files: string[]; finals: Record<string, number> } {
  const { f, grad, start, steps, lr } = bookOptimizerCompare;
  const results = FOUR.map((name) => ({
    name,
    ...optimizePath(createOptimizer(name, { lr: lr[name] }), f, grad, start, steps),
  }));
  const rows = results.flatMap((r) =>
    r.points.map((p, k) => [r.name, k, p[0]!, p[1]!, r.values[k]!] as const),
  );
  const files = [
    csv(ctx, 'optimizer-paths', ['optimizer', 'step', 'x', 'y', 'f'], rows),
    ...figure(ctx, 'optimizer-paths', {
      title: `Optimisation paths on f(x, y) = x²/20 + y² from (-7, 2), ${steps} steps (figure 6-8)`,
      columns: 2,
      panelWidth: 440,
      panelHeight: 330,
      panels: results.map((r, i) => ({
        title: `${OPTIMIZER_CLASS_NAMES[r.name]} (lr ${lr[r.name]})`,
        x: { label: 'x', min: -10, max: 10 },
        y: { label: 'y', min: -5, max: 5 },
        legend: 'none' as const,
        series: [
          ...ellipseContours([0.5, 2, 5, 10, 20], Math.sqrt(20), 1),
          {
            name: r.name,
            x: r.points.map((p) => p[0]!),
            y: r.points.map((p) => p[1]!),
            style: 'line-points' as const,
            color: PALETTE[i]!,
          },
        ],
      })),
    }),
  ];
  return { files, finals: Object.fromEntries(results.map((r) => [`${r.name} final f`, r.values.at(-1)!])) };
}

/** Chapter 6.1: the four update rules on the book's test function and on MNIST (figures 6-8, 6-9). */
export const optimizersExperiment: Experiment = {
  name: 'optimizers',
  summary: 'SGD, Momentum, AdaGrad, Adam: paths on x²/20 + y² and MNIST loss curves (figures 6-8, 6-9)',
  book: 'ch06/optimizer_compare_naive.py, optimizer_compare_mnist.py',
  usesData: true,
  usesNetwork: true,
  options: {
    iters: { type: 'string', help: 'MNIST iterations per optimizer (default 500; the book 2000)' },
    'batch-size': { type: 'string', help: 'mini-batch size (default 128, the book)' },
    hidden: { type: 'string', help: 'hidden layers (default 100,100,100,100, the book)' },
    book: { type: 'boolean', help: "the book's size: 2000 iterations" },
  },
  async run(ctx) {
    const { files, finals } = paths(ctx);
    const iterations =
      positiveInt('iters', ctx.values.iters as string | undefined) ?? (ctx.values.book ? 2000 : 500);
    const batchSize = positiveInt('batch-size', ctx.values['batch-size'] as string | undefined) ?? 128;
    const hidden = intList('hidden', ctx.values.hidden as string | undefined) ?? [100, 100, 100, 100];
    const data = ctx.data();
    const inputSize = data.inputShape.reduce((a, b) => a * b, 1);
    const backend = ctx.backend.kernels;
    // The book's choices: each optimizer's default learning rate (SGD, Momentum, AdaGrad 0.01; Adam 0.001).
    const contenders = FOUR.map((name, k) => ({
      name,
      model: new MultiLayerNet({
        inputSize,
        hiddenSizeList: hidden,
        outputSize: 10,
        rng: new Rng(ctx.seed + k),
        backend,
      }),
      optimizer: createOptimizer(name, { backend }),
    }));
    ctx.log(
      `MNIST: MultiLayerNet ${[inputSize, ...hidden, 10].join('-')}, batch ${batchSize}, ${iterations} iterations, ` +
        `${data.xTrain.shape[0]} training images, same batches for all four`,
    );
    const losses = await trainSideBySide(contenders, data, {
      iterations,
      batchSize,
      rng: new Rng(ctx.seed),
      onStep: (i, step) => {
        if (i % 100 === 0 || i === iterations - 1) {
          ctx.log(
            `iteration ${String(i).padStart(5)}  ${FOUR.map((n, j) => `${n} ${step[j]!.toFixed(4)}`).join('  ')}`,
          );
        }
      },
    });
    const its = losses[0]!.map((_, i) => i);
    files.push(
      csv(
        ctx,
        'optimizers-mnist',
        ['iteration', ...FOUR],
        its.map((i) => [i, ...losses.map((l) => l[i]!)]),
      ),
      ...figure(ctx, 'optimizers-mnist', {
        panels: [
          {
            title: `MNIST loss, MultiLayerNet ${[inputSize, ...hidden, 10].join('-')} (smoothed as the book does)`,
            x: { label: 'iterations' },
            y: { label: 'loss', min: 0, max: 1 },
            series: FOUR.map((name, j) => ({
              name: OPTIMIZER_CLASS_NAMES[name],
              x: its,
              y: smoothCurve(losses[j]!),
            })),
          },
        ],
      }),
    );
    // The mean of the last 10% of steps: a steadier figure than the last loss.
    const tail = Math.max(1, Math.floor(iterations / 10));
    const mean = (l: number[]): number => l.slice(-tail).reduce((a, b) => a + b, 0) / tail;
    return {
      files,
      summary: {
        ...finals,
        iterations,
        ...Object.fromEntries(FOUR.map((n, j) => [`${n} mnist loss (last ${tail})`, mean(losses[j]!)])),
      },
    };
  },
};
