import { hostCopy, withWeightPrecision, type WeightPrecision } from '@dl/layers';
import { argmax, isDeviceResident } from '@dl/tensor';
import { networkOn } from '../eval/open-model.js';
import type { Experiment } from './context.js';
import { csv, figure } from './files.js';
import { hostScores, MODEL_OPTIONS, studyModel, testSet } from './study-model.js';

/** Test images per forward pass. */
const BATCH = 1000;

const PRECISIONS = [
  { name: 'float32', bits: 32, mantissa: 23, color: '#1f77b4' },
  { name: 'float16', bits: 16, mantissa: 10, color: '#ff7f0e' },
  { name: 'bfloat16', bits: 16, mantissa: 7, color: '#2ca02c' },
] as const satisfies readonly { name: WeightPrecision; bits: number; mantissa: number; color: string }[];

type PrecisionRow = (typeof PRECISIONS)[number] & { accuracy: number; errors: number; changed: number };

/**
 * Book 8.5.2 (bit precision): deep networks need no 64-bit floats; 16 bits per weight keep the
 * accuracy. The weights are rounded to each format and the test set classified again.
 */
export const precisionExperiment: Experiment = {
  name: 'precision',
  summary: 'test accuracy with the weights in float32, float16 and bfloat16 (section 8.5.2)',
  book: 'ch08/half_float_network.py',
  usesData: true,
  usesNetwork: true,
  examples: [
    'dl experiment precision',
    'dl experiment precision --checkpoint runs/a/best.safetensors --json',
  ],
  options: MODEL_OPTIONS,
  async run(ctx) {
    const model = await studyModel(ctx);
    const { network, spec } = model;
    const test = testSet(ctx, model);
    const n = test.x.shape[0]!;
    const labels = test.t.ndim === 1 ? test.t : argmax(test.t, { axis: 1 });
    // The weights are rounded on the CPU (a GPU's read back first), and a rounded copy is moved
    // onto the backend, as dl eval --precision does; the original stays as it was.
    const host = isDeviceResident(network.backend) ? await hostCopy(network, spec) : network;
    const kernels = ctx.backend.kernels;
    // One pass over the test set per precision: the predicted classes (in batches, as the
    // convolutions' im2col of 10 000 images at once would take gigabytes).
    const predictions = async (p: WeightPrecision): Promise<Int32Array> => {
      const rounded = withWeightPrecision(host, p, () => networkOn(host, spec, kernels));
      return argmax(await hostScores(rounded, test.x, BATCH), { axis: 1 }).data;
    };
    const reference = await predictions('float32');
    const rows: PrecisionRow[] = [];
    for (const p of PRECISIONS) {
      const mine = p.name === 'float32' ? reference : await predictions(p.name);
      let changed = 0;
      let errors = 0;
      for (let i = 0; i < n; i++) {
        if (mine[i] !== reference[i]) changed++;
        if (mine[i] !== labels.data[i]) errors++;
      }
      const acc = n === 0 ? Number.NaN : 1 - errors / n;
      ctx.log(`${p.name.padEnd(8)}  accuracy ${acc.toFixed(4)}  predictions changed ${changed}`);
      rows.push({ ...p, accuracy: acc, errors, changed });
    }
    const accs = rows.map((r) => r.accuracy);
    const lo = Math.max(0, Math.floor(100 * Math.min(...accs) - 2) / 100);
    const hi = Math.min(1, Math.ceil(100 * Math.max(...accs) + 1) / 100);
    return {
      files: [
        csv(
          ctx,
          'precision',
          ['precision', 'bits', 'mantissa_bits', 'accuracy', 'errors', 'changed_vs_float32'],
          rows.map((r) => [r.name, r.bits, r.mantissa, r.accuracy, r.errors, r.changed]),
        ),
        ...figure(ctx, 'precision', {
          panels: [
            {
              title: `Test accuracy by weight precision (${n} images)`,
              x: { label: 'weight format', min: -0.5, max: 7.5 },
              y: { label: 'accuracy', min: lo, max: hi },
              legend: 'top-right',
              series: rows.map((r, k) => ({
                name: `${r.name} ${(100 * r.accuracy).toFixed(2)}%`,
                x: [1.5 * k],
                y: [r.accuracy],
                style: 'bars' as const,
                color: r.color,
              })),
            },
          ],
        }),
      ],
      summary: {
        model: model.origin,
        'test images': n,
        ...Object.fromEntries(rows.flatMap((r) => [[`${r.name} acc`, r.accuracy]])),
        'float16 changed': rows[1]!.changed,
        'bfloat16 changed': rows[2]!.changed,
      },
    };
  },
};
