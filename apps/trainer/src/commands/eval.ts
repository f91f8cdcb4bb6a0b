import { resolve } from 'node:path';
import { withWeightPrecision, type WeightPrecision } from '@dl/layers';
import { Tensor } from '@dl/tensor';
import { oneOf, parseCommandArgs } from '../cli/args.js';
import type { Io } from '../cli/io.js';
import { activateFromOptions, BACKEND_HELP, BACKEND_OPTIONS } from '../backend.js';
import { CliError } from '../cli-error.js';
import { evaluateModel, formatConfusion } from '../eval/evaluate.js';
import { specInputShape } from '../eval/model-input.js';
import { RunError } from '../run-error.js';
import { describeSpec, readCheckpoint } from '../run/checkpoint.js';
import { loadData } from '../train/data.js';

const OPTIONS = {
  checkpoint: { type: 'string' },
  data: { type: 'string' },
  precision: { type: 'string' },
  ...BACKEND_OPTIONS,
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const PRECISIONS = ['float32', 'float16', 'bfloat16'] as const satisfies readonly WeightPrecision[];

export const EVAL_HELP = `Usage: dl eval --checkpoint FILE [options]

Evaluates a saved model (a checkpoint of dl train: last.safetensors, best.safetensors) on the test
set: accuracy, loss, accuracy per class and the confusion matrix.

Options:
  --checkpoint FILE   the model to evaluate (required)
  --data DIR          MNIST-format IDX files (default: the bundled MNIST); its test set is used
  --precision P       float32 | float16 | bfloat16: round every weight to this format first, as if
                      stored in it (computation stays float32; default float32)
${BACKEND_HELP}
  --json              the results as one JSON object

Examples:
  dl eval --checkpoint runs/a/best.safetensors
  dl eval --checkpoint runs/a/last.safetensors --precision bfloat16 --json`;

/** `dl eval`: returns the exit code. */
export async function evalCommand(argv: readonly string[], io: Io): Promise<number> {
  const { values } = parseCommandArgs('eval', argv, OPTIONS);
  if (values.help) {
    io.write(`${EVAL_HELP}\n`);
    return 0;
  }
  if (values.checkpoint === undefined)
    throw new CliError("eval: --checkpoint FILE is required (see 'dl eval --help')");
  const precision = oneOf('precision', values.precision, PRECISIONS) ?? 'float32';
  await activateFromOptions(values);
  const file = resolve(values.checkpoint);
  const { network, spec, info } = readCheckpoint(file);
  const data = loadData({ dir: values.data === undefined ? null : resolve(values.data), trainSize: null });
  const shape = specInputShape(spec);
  const want = shape.reduce((a, b) => a * b, 1);
  const have = data.inputShape.reduce((a, b) => a * b, 1);
  if (want !== have) {
    throw new RunError(
      `${file} holds a ${describeSpec(spec)} for ${want} inputs per image, but ${data.source}'s images have ${have}`,
    );
  }
  const n = data.xTest.shape[0]!;
  const x = new Tensor(data.xTest.data, [n, ...shape], data.xTest.dtype);
  const result = withWeightPrecision(network, precision, () => evaluateModel(network, x, data.tTest));
  if (values.json) {
    const record = {
      checkpoint: file,
      model: describeSpec(spec),
      step: info?.step ?? null,
      precision,
      ...result,
    };
    io.write(`${JSON.stringify(record)}\n`);
    return 0;
  }
  const pct = (v: number): string => (Number.isNaN(v) ? '-' : `${(100 * v).toFixed(2)}%`);
  io.write(
    `${file}: ${describeSpec(spec)}${info ? `, step ${info.step}` : ''}, weights in ${precision}\n` +
      `test set: ${data.source}, ${result.samples} images\n\n` +
      `accuracy ${pct(result.accuracy)}  loss ${result.loss.toFixed(4)}\n\n` +
      `per class: ${result.perClass.map((a, c) => `${c} ${pct(a)}`).join('  ')}\n\n` +
      `${formatConfusion(result.confusion)}\n`,
  );
  return 0;
}
