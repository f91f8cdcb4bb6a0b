import { resolve } from 'node:path';
import { specInputShape, withWeightPrecision, type LayerNetwork, type WeightPrecision } from '@dl/layers';
import { oneOf, parseCommandArgs } from '../cli/args.js';
import type { Io } from '../cli/io.js';
import { activateFromOptions, BACKEND_HELP, BACKEND_OPTIONS } from '../backend.js';
import { CliError } from '../cli-error.js';
import { evaluateModel, evaluateModelAsync, formatConfusion, type Evaluation } from '../eval/evaluate.js';
import { modelInput, networkOn, openModel } from '../eval/open-model.js';
import { RunError } from '../run-error.js';
import { describeSpec, type CheckpointInfo } from '../run/checkpoint.js';
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
  --checkpoint FILE   the model to evaluate (required): a checkpoint file, or a dl train run
                      directory (its best.safetensors)
  --data DIR          MNIST-format IDX files (default: the bundled MNIST); its test set is used.
                      A checkpoint trained on other data is evaluated on MNIST with a warning
  --precision P       float32 | float16 | bfloat16: round every weight to this format first, as if
                      stored in it (computation stays in the model's dtype; default: the
                      weights as stored, float32 or float64)
${BACKEND_HELP}
  --json              the results as one JSON object

A checkpoint whose weights are not all finite (a diverged run) is refused (exit 1).

Examples:
  dl eval --checkpoint runs/a
  dl eval --checkpoint runs/a/best.safetensors --data data/fashion
  dl eval --checkpoint runs/a/last.safetensors --precision bfloat16 --json`;

/** The data directory a checkpoint's run trained on (its settings' `data`), or null for the bundled MNIST. */
function trainingData(info: CheckpointInfo | undefined): string | null {
  const settings = info?.settings;
  if (settings === null || typeof settings !== 'object' || !('data' in settings)) return null;
  return typeof settings.data === 'string' ? settings.data : null;
}

/** `dl eval`: returns the exit code. */
export async function evalCommand(argv: readonly string[], io: Io): Promise<number> {
  const { values } = parseCommandArgs('eval', argv, OPTIONS);
  if (values.help) {
    io.write(`${EVAL_HELP}\n`);
    return 0;
  }
  if (values.checkpoint === undefined)
    throw new CliError("eval: --checkpoint FILE is required (see 'dl eval --help')");
  const rounding = oneOf('precision', values.precision, PRECISIONS);
  const active = await activateFromOptions(values);
  const { network, spec, info, file, dtype } = openModel(values.checkpoint, (t) => io.error(t));
  const dataDir = values.data === undefined ? null : resolve(values.data);
  const trainedOn = trainingData(info);
  if (dataDir === null && trainedOn !== null) {
    io.error(
      `warning: ${file} was trained on ${trainedOn}; evaluating it on the bundled MNIST's test set ` +
        `(give --data ${trainedOn} for its own)\n`,
    );
  }
  const data = loadData({ dir: dataDir, trainSize: null });
  const shape = specInputShape(spec);
  const want = shape.reduce((a, b) => a * b, 1);
  const have = data.inputShape.reduce((a, b) => a * b, 1);
  if (want !== have) {
    throw new RunError(
      `${file} holds a ${describeSpec(spec)} for ${want} inputs per image, but ${data.source}'s images have ${have}`,
    );
  }
  const n = data.xTest.shape[0]!;
  const x = modelInput(data.xTest.data, [n, ...shape], dtype);
  // Without --precision the weights are used as stored: a float64 model is not rounded to float32.
  let result: Evaluation;
  if (active.name === 'webgpu') {
    // Rounded on the CPU, then moved to the GPU and evaluated there, read back asynchronously.
    const move = (): LayerNetwork => networkOn(network, spec, active.kernels);
    const onGpu = rounding === undefined ? move() : withWeightPrecision(network, rounding, move);
    result = await evaluateModelAsync(onGpu, x, data.tTest);
  } else {
    const evaluate = (): Evaluation => evaluateModel(network, x, data.tTest);
    result = rounding === undefined ? evaluate() : withWeightPrecision(network, rounding, evaluate);
  }
  const precision = rounding ?? dtype;
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
