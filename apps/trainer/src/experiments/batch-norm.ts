import { MultiLayerNetExtend } from '@dl/layers';
import { createOptimizer, rowsView } from '@dl/optim';
import { Rng } from '@dl/tensor';
import { positiveInt } from '../cli/args.js';
import type { ChartPanel } from '../plot/figure.js';
import type { Experiment } from './context.js';
import { csv, figure } from './files.js';
import { trainSideBySide } from './side-by-side.js';

/** `np.logspace(0, -4, num=n)`; `1 / 10^e` so that the last one is exactly 1e-4 (V8's `10 ** -4` is not). */
function logspace(n: number): number[] {
  return Array.from({ length: n }, (_, i) => 1 / 10 ** (n === 1 ? 0 : (4 * i) / (n - 1)));
}

/**
 * Book 6.3.2 (`batch_norm_test.py`): for 16 initial weight scales from 1 to 1e-4, a 6-layer net with
 * and without Batch Normalization trained on the same 1000 images and batches; train accuracy per
 * epoch (figure 6-19).
 */
export const batchNormExperiment: Experiment = {
  name: 'batch-norm',
  summary: 'train accuracy with and without Batch Normalization for 16 weight scales (figure 6-19)',
  book: 'ch06/batch_norm_test.py',
  usesData: true,
  usesNetwork: true,
  options: {
    epochs: { type: 'string', help: 'epochs (default 20, the book)' },
    scales: { type: 'string', help: 'number of weight scales, logspace(0, -4) (default 16, the book)' },
    'train-size': { type: 'string', help: 'training images (default 1000, the book)' },
  },
  async run(ctx) {
    const v = ctx.values as Record<string, string | undefined>;
    const maxEpochs = positiveInt('epochs', v.epochs) ?? 20;
    const scales = logspace(positiveInt('scales', v.scales) ?? 16);
    const data = ctx.data();
    const n = Math.min(positiveInt('train-size', v['train-size']) ?? 1000, data.xTrain.shape[0]!);
    const xTrain = rowsView(data.xTrain, 0, n);
    const tTrain = rowsView(data.tTrain, 0, n);
    const batchSize = 100;
    const iterPerEpoch = Math.max(Math.floor(n / batchSize), 1);
    const inputSize = data.inputShape.reduce((a, b) => a * b, 1);
    const backend = ctx.backend.kernels;
    const results: { scale: number; bn: number[]; plain: number[] }[] = [];
    for (const [k, scale] of scales.entries()) {
      const make = (useBatchnorm: boolean): MultiLayerNetExtend =>
        new MultiLayerNetExtend({
          inputSize,
          hiddenSizeList: [100, 100, 100, 100, 100],
          outputSize: 10,
          weightInitStd: scale,
          useBatchnorm,
          rng: new Rng(ctx.seed + k),
          backend,
        });
      const bnNet = make(true);
      const net = make(false);
      const bn: number[] = [];
      const plain: number[] = [];
      // The book's loop: evaluate after step i when i % iterPerEpoch == 0, stop after maxEpochs evaluations.
      await trainSideBySide(
        [
          { name: 'bn', model: bnNet, optimizer: createOptimizer('sgd', { lr: 0.01, backend }) },
          { name: 'plain', model: net, optimizer: createOptimizer('sgd', { lr: 0.01, backend }) },
        ],
        { xTrain, tTrain },
        {
          iterations: (maxEpochs - 1) * iterPerEpoch + 1,
          batchSize,
          rng: new Rng(ctx.seed + 1000 + k),
          evaluateEvery: iterPerEpoch,
          onEvaluate: async () => {
            bn.push(await bnNet.accuracyAsync(xTrain, tTrain));
            plain.push(await net.accuracyAsync(xTrain, tTrain));
          },
        },
      );
      ctx.log(
        `${String(k + 1).padStart(2)}/${scales.length}  w ${scale.toExponential(2)}  ` +
          `with BN ${bn.at(-1)!.toFixed(3)}  without ${plain.at(-1)!.toFixed(3)}`,
      );
      results.push({ scale, bn, plain });
    }
    const epochs = Array.from({ length: maxEpochs }, (_, e) => e);
    const files = [
      csv(
        ctx,
        'batch-norm',
        ['weight_scale', 'epoch', 'train_acc_batchnorm', 'train_acc_plain'],
        results.flatMap((r) => epochs.map((e) => [r.scale, e, r.bn[e] ?? null, r.plain[e] ?? null])),
      ),
      ...figure(ctx, 'batch-norm', {
        title: `Train accuracy with (solid) and without (dashed) Batch Normalization, ${n} images, by initial weight std`,
        columns: 4,
        panelWidth: 260,
        panelHeight: 200,
        panels: results.map((r): ChartPanel => ({
          title: `W: ${Number(r.scale.toPrecision(3))}`,
          y: { min: 0, max: 1 },
          legend: r === results[0] ? 'top-left' : 'none',
          series: [
            { name: 'Batch Normalization', x: epochs, y: r.bn, color: '#1f77b4' },
            { name: 'Normal (without BN)', x: epochs, y: r.plain, color: '#ff7f0e', style: 'dashed' },
          ],
        })),
      }),
    ];
    const better = results.filter((r) => r.bn.at(-1)! > r.plain.at(-1)!).length;
    return {
      files,
      summary: {
        scales: scales.length,
        epochs: maxEpochs,
        'scales where BN ends higher': better,
        'mean final acc with BN': results.reduce((s, r) => s + r.bn.at(-1)!, 0) / results.length,
        'mean final acc without BN': results.reduce((s, r) => s + r.plain.at(-1)!, 0) / results.length,
      },
    };
  },
};
