import { basename } from 'node:path';
import { buildModel, filterGrid, type FloatTensor, type GrayImage } from '@dl/layers';
import { Rng } from '@dl/tensor';
import { encodePng, type Image8 } from '../image/png-encode.js';
import { writeFileAtomicSync } from '@dl/layers/node';
import type { Experiment, ExperimentContext } from './context.js';
import { csv, figure } from './files.js';
import { hostTensor, simpleConvNetSpec, testSet, trainOnImages, TRAIN_OPTIONS } from './study-model.js';

/** Filters per row, as the book's `visualize_filter` (ch07/visualize_filter.py). */
const COLUMNS = 8;
/** Pixels per weight in filters-before.png / filters-after.png. */
const ZOOM = 8;

function toImage8(g: GrayImage): Image8 {
  return { width: g.width, height: g.height, channels: 1, data: g.pixels };
}

/** The book's look: each filter stretched to its own range, large weights dark (matplotlib's gray_r). */
function grid(W: FloatTensor, zoom: number): Image8 {
  return toImage8(filterGrid(W, { columns: COLUMNS, zoom, padding: zoom === 1 ? 1 : 2, invert: true }));
}

function writePng(ctx: ExperimentContext, name: string, image: Image8): string {
  writeFileAtomicSync(ctx.file(name), encodePng(image));
  return basename(ctx.file(name));
}

function meanAbs(W: FloatTensor): number {
  let s = 0;
  for (let i = 0; i < W.size; i++) s += Math.abs(W.data[i]!);
  return s / W.size;
}

/** Book 7.6.1: the first convolution's 30 filters of SimpleConvNet, random before and structured after training (figure 7-24). */
export const filtersExperiment: Experiment = {
  name: 'filters',
  summary: "SimpleConvNet's first-layer filters before and after training (figure 7-24)",
  book: 'ch07/visualize_filter.py',
  usesData: true,
  usesNetwork: true,
  examples: [
    'dl experiment filters',
    'dl experiment filters --iters 1000 --train-size 20000 --out runs/filters',
    'dl experiment filters --data ~/fashion-mnist --seed 3',
  ],
  options: {
    ...TRAIN_OPTIONS,
    'test-size': {
      type: 'string',
      value: 'N',
      help: 'test images the accuracy is measured on (default 1000)',
    },
  },
  async run(ctx) {
    const spec = simpleConvNetSpec(ctx);
    const network = buildModel(spec, { rng: new Rng(ctx.seed), backend: ctx.backend.kernels });
    // Copies on the CPU (on a GPU the weights are read back): the optimizer updates W1 in place.
    const before = await hostTensor(network.param('W1').value);
    const run = await trainOnImages(ctx, network, 'SimpleConvNet');
    const after = await hostTensor(network.param('W1').value);
    const [FN, C, FH, FW] = after.shape as [number, number, number, number];
    const rows: (string | number)[][] = [];
    for (const [stage, w] of [
      ['before', before],
      ['after', after],
    ] as const) {
      for (let f = 0; f < FN; f++)
        for (let c = 0; c < C; c++)
          for (let y = 0; y < FH; y++)
            for (let x = 0; x < FW; x++)
              rows.push([stage, f, c, y, x, w.data[((f * C + c) * FH + y) * FW + x]!]);
    }
    const test = testSet(
      ctx,
      { network, spec, origin: '', inputShape: spec.inputDim ?? [1, 28, 28], dtype: 'float32' },
      1000,
    );
    const accuracy = await network.accuracyAsync(test.x, test.t, { batchSize: 1000 });
    return {
      files: [
        csv(ctx, 'filters', ['stage', 'filter', 'channel', 'row', 'col', 'weight'], rows),
        ...figure(ctx, 'filters', {
          title: `SimpleConvNet: the ${FN} filters (${FH}×${FW}) of the first convolution`,
          columns: 2,
          panelWidth: 420,
          panelHeight: 210,
          panels: [
            {
              kind: 'images',
              title: 'before training (random)',
              columns: 1,
              images: [{ image: grid(before, 1) }],
            },
            {
              kind: 'images',
              title: `after ${run.iters} steps`,
              columns: 1,
              images: [{ image: grid(after, 1) }],
            },
          ],
        }),
        writePng(ctx, 'filters-before.png', grid(before, ZOOM)),
        writePng(ctx, 'filters-after.png', grid(after, ZOOM)),
      ],
      summary: {
        filters: FN,
        steps: run.iters,
        'train images': run.trainSize,
        'loss, first 10% of steps': run.firstLoss,
        'loss, last 10% of steps': run.lastLoss,
        'test acc': accuracy,
        'test images': test.x.shape[0]!,
        'mean |w| before': meanAbs(before),
        'mean |w| after': meanAbs(after),
      },
    };
  },
};
