import { listMisclassified, type FloatTensor } from '@dl/layers';
import { positiveInt } from '../cli/args.js';
import type { Image8 } from '../image/png-encode.js';
import type { Experiment } from './context.js';
import { csv, figure } from './files.js';
import { hostScores, MODEL_OPTIONS, studyModel, testSet } from './study-model.js';

const SHOW = 40;
const COLUMNS = 10;

/** Row `i` of `[N, C, H, W]` images in 0..1 (channel 0) as an 8-bit gray image, white digit on black. */
function digit(images: FloatTensor, i: number, shape: readonly number[]): Image8 {
  const [, h, w] = shape as [number, number, number];
  const size = shape.reduce((a, b) => a * b, 1);
  const data = new Uint8Array(h * w);
  for (let p = 0; p < h * w; p++) {
    const v = images.data[i * size + p]!;
    data[p] = Math.round(255 * Math.min(1, Math.max(0, v)));
  }
  return { width: w, height: h, channels: 1, data };
}

/** Book 8.1.1: the test images a trained network gets wrong (figure 8-3). */
export const misclassifiedExperiment: Experiment = {
  name: 'misclassified',
  summary: 'the test images a trained network gets wrong, with its guesses (figure 8-3)',
  book: 'ch08/misclassified_mnist.py',
  usesData: true,
  usesNetwork: true,
  examples: [
    'dl experiment misclassified',
    'dl experiment misclassified --checkpoint runs/a/best.safetensors --show 20',
    'dl experiment misclassified --iters 1000 --test-size 2000 --out runs/errors',
  ],
  options: {
    ...MODEL_OPTIONS,
    show: {
      type: 'string',
      value: 'N',
      help: `errors shown in the figure (default ${SHOW}); the CSV lists all`,
    },
  },
  async run(ctx) {
    const show = positiveInt('show', ctx.values.show as string | undefined) ?? SHOW;
    const model = await studyModel(ctx);
    const test = testSet(ctx, model);
    const n = test.x.shape[0]!;
    // The scores are computed where the network runs and read back; `listMisclassified` then sees
    // them through the identity model (its input is already the scores) and ranks them on the CPU.
    const scores = await hostScores(model.network, test.x);
    const wrong = listMisclassified({ predict: (s) => s }, scores, test.t);
    ctx.log(`${wrong.length} of ${n} test images misclassified`);
    const shown = wrong.slice(0, show);
    const rows = wrong.map((w) => [w.index, w.label, w.prediction, w.probability, w.labelProbability]);
    const fig =
      shown.length === 0
        ? []
        : figure(ctx, 'misclassified', {
            title: `${wrong.length} of ${n} misclassified${wrong.length > show ? `, first ${show}` : ''} (label>guess probability)`,
            columns: 1,
            panelWidth: Math.max(480, 60 * Math.min(COLUMNS, shown.length) + 12),
            panelHeight: 26 + 76 * Math.ceil(shown.length / COLUMNS),
            panels: [
              {
                kind: 'images',
                title: model.origin,
                columns: Math.min(COLUMNS, shown.length),
                images: shown.map((w) => ({
                  image: digit(test.images, w.index, test.imageShape),
                  caption: `${w.label}>${w.prediction} ${Math.round(100 * w.probability)}%`,
                  color: '#d62728',
                })),
              },
            ],
          });
    return {
      files: [
        csv(ctx, 'misclassified', ['index', 'label', 'prediction', 'probability', 'label_probability'], rows),
        ...fig,
      ],
      summary: {
        model: model.origin,
        'test images': n,
        errors: wrong.length,
        accuracy: n === 0 ? Number.NaN : 1 - wrong.length / n,
        shown: shown.length,
      },
    };
  },
};
