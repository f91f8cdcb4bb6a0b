import { MultiLayerNet, relu, sigmoid, tanh, type WeightInitStd } from '@dl/layers';
import { createOptimizer } from '@dl/optim';
import { Rng, matmul, randn, type Tensor } from '@dl/tensor';
import { intList, positiveInt } from '../cli/args.js';
import type { ChartPanel } from '../plot/figure.js';
import type { Experiment } from './context.js';
import { csv, figure } from './files.js';
import { trainSideBySide } from './side-by-side.js';
import { smoothCurve } from './smooth.js';

type Act = 'sigmoid' | 'relu' | 'tanh';
const ACTIVATIONS: Readonly<Record<Act, (x: Tensor<'float64'>) => Tensor<'float64'>>> = {
  sigmoid,
  relu,
  tanh,
};
const INITS = [
  { name: 'std 1', std: (): number => 1 },
  { name: 'std 0.01', std: (): number => 0.01 },
  { name: 'Xavier', std: (n: number): number => Math.sqrt(1 / n) },
  { name: 'He', std: (n: number): number => Math.sqrt(2 / n) },
] as const;
const BINS = 30;

/** `np.histogram(a, 30, range=(0, 1))`: counts of 30 equal bins on [0, 1], the last bin closed. */
function histogram(values: ArrayLike<number>): number[] {
  const counts = new Array<number>(BINS).fill(0);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v < 0 || v > 1) continue;
    counts[Math.min(BINS - 1, Math.floor(v * BINS))]! += 1;
  }
  return counts;
}

/**
 * `weight_init_activation_histogram.py`: 1000 random inputs through five 100-unit layers, each
 * activation's distribution per layer (figures 6-10 to 6-14).
 */
function histograms(
  act: Act,
  seed: number,
  samples: number,
): { init: string; layer: number; counts: number[] }[] {
  const out: { init: string; layer: number; counts: number[] }[] = [];
  INITS.forEach((init, k) => {
    const rng = new Rng(seed + k);
    let x: Tensor<'float64'> = randn([samples, 100], rng, { dtype: 'float64' });
    for (let layer = 1; layer <= 5; layer++) {
      const w = randn([100, 100], rng, { std: init.std(100), dtype: 'float64' });
      x = ACTIVATIONS[act](matmul(x, w));
      out.push({ init: init.name, layer, counts: histogram(x.data) });
    }
  });
  return out;
}

/** Chapter 6.2: initial weight scales, by activation histograms and by MNIST training. */
export const weightInitExperiment: Experiment = {
  name: 'weight-init',
  summary:
    'activation histograms per layer (std 1, 0.01, Xavier, He; sigmoid, ReLU) and MNIST loss by init (figures 6-10 to 6-15)',
  book: 'ch06/weight_init_activation_histogram.py, weight_init_compare.py',
  usesData: true,
  usesNetwork: true,
  options: {
    iters: { type: 'string', help: 'MNIST iterations per initialisation (default 500; the book 2000)' },
    hidden: { type: 'string', help: 'hidden layers (default 100,100,100,100, the book)' },
    samples: { type: 'string', help: 'random inputs for the histograms (default 1000, the book)' },
    book: { type: 'boolean', help: "the book's size: 2000 iterations" },
  },
  async run(ctx) {
    const files: string[] = [];
    const rows: (string | number)[][] = [];
    const samples = positiveInt('samples', ctx.values.samples as string | undefined) ?? 1000;
    // The histograms are float64, as NumPy computes them: on the CPU whatever the backend (a GPU
    // computes float32); the MNIST runs below are on the backend.
    for (const act of ['sigmoid', 'relu'] as const) {
      const h = histograms(act, ctx.seed, samples);
      for (const { init, layer, counts } of h) {
        counts.forEach((c, b) => rows.push([act, init, layer, b / BINS, (b + 1) / BINS, c]));
      }
      const edges = Array.from({ length: BINS }, (_, b) => b / BINS);
      files.push(
        ...figure(ctx, `weight-init-histograms-${act}`, {
          title: `Activations of 5 layers (100 units, ${act}) for ${samples} random inputs, by initial weight scale`,
          columns: 5,
          panelWidth: 240,
          panelHeight: 170,
          panels: h.map(({ init, layer, counts }): ChartPanel => ({
            title: `${init} · layer ${layer}`,
            x: { min: 0, max: 1 },
            legend: 'none',
            series: [{ name: 'count', x: edges, y: counts, style: 'bars', color: '#1f77b4' }],
          })),
        }),
      );
    }
    files.push(
      csv(
        ctx,
        'weight-init-histograms',
        ['activation', 'init', 'layer', 'bin_start', 'bin_end', 'count'],
        rows,
      ),
    );

    const iterations =
      positiveInt('iters', ctx.values.iters as string | undefined) ?? (ctx.values.book ? 2000 : 500);
    const hidden = intList('hidden', ctx.values.hidden as string | undefined) ?? [100, 100, 100, 100];
    const data = ctx.data();
    const inputSize = data.inputShape.reduce((a, b) => a * b, 1);
    const backend = ctx.backend.kernels;
    const inits: { name: string; std: WeightInitStd }[] = [
      { name: 'std=0.01', std: 0.01 },
      { name: 'Xavier', std: 'sigmoid' },
      { name: 'He', std: 'relu' },
    ];
    ctx.log(
      `MNIST: MultiLayerNet ${[inputSize, ...hidden, 10].join('-')} (ReLU), SGD lr 0.01, batch 128, ${iterations} iterations`,
    );
    const losses = await trainSideBySide(
      inits.map((init, k) => ({
        name: init.name,
        model: new MultiLayerNet({
          inputSize,
          hiddenSizeList: hidden,
          outputSize: 10,
          weightInitStd: init.std,
          rng: new Rng(ctx.seed + k),
          backend,
        }),
        optimizer: createOptimizer('sgd', { lr: 0.01, backend }),
      })),
      data,
      {
        iterations,
        batchSize: 128,
        rng: new Rng(ctx.seed),
        onStep: (i, step) => {
          if (i % 100 === 0 || i === iterations - 1) {
            ctx.log(
              `iteration ${String(i).padStart(5)}  ${inits.map((n, j) => `${n.name} ${step[j]!.toFixed(4)}`).join('  ')}`,
            );
          }
        },
      },
    );
    const its = losses[0]!.map((_, i) => i);
    files.push(
      csv(
        ctx,
        'weight-init-mnist',
        ['iteration', ...inits.map((i) => i.name)],
        its.map((i) => [i, ...losses.map((l) => l[i]!)]),
      ),
      ...figure(ctx, 'weight-init-mnist', {
        panels: [
          {
            title: `MNIST loss by initial weights, MultiLayerNet ${[inputSize, ...hidden, 10].join('-')} (figure 6-15)`,
            x: { label: 'iterations' },
            y: { label: 'loss', min: 0, max: 2.5 },
            series: inits.map((init, j) => ({ name: init.name, x: its, y: smoothCurve(losses[j]!) })),
          },
        ],
      }),
    );
    const tail = Math.max(1, Math.floor(iterations / 10));
    const mean = (l: number[]): number => l.slice(-tail).reduce((a, b) => a + b, 0) / tail;
    // How many sigmoid activations of layer 5 sit near 0 or 1 (the vanishing-gradient picture).
    return {
      files,
      summary: {
        iterations,
        ...Object.fromEntries(
          inits.map((init, j) => [`${init.name} mnist loss (last ${tail})`, mean(losses[j]!)]),
        ),
      },
    };
  },
};
