import { readFileSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { softmax } from '@dl/layers';
import { Tensor } from '@dl/tensor';
import { parseCommandArgs } from '../cli/args.js';
import type { Io } from '../cli/io.js';
import { activateFromOptions, BACKEND_HELP, BACKEND_OPTIONS } from '../backend.js';
import { CliError } from '../cli-error.js';
import { specInputShape } from '../eval/model-input.js';
import { toMnistDigit } from '../image/mnist-like.js';
import { decodePgm } from '../image/pgm.js';
import { ImageDecodeError, decodePng } from '../image/png-decode.js';
import type { Image8 } from '../image/png-encode.js';
import { RunError, describeFsError } from '../run-error.js';
import { describeSpec, readCheckpoint } from '../run/checkpoint.js';

const OPTIONS = {
  checkpoint: { type: 'string' },
  ...BACKEND_OPTIONS,
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export const PREDICT_HELP = `Usage: dl predict --checkpoint FILE IMAGE...

Classifies images with a saved model: prints each image's class and the probability of every class.
Images (PNG or PGM) are made to look like MNIST's digits: grayscale, dark-on-light inverted to
white-on-black, and unless already 28×28, cropped to the ink, scaled into 20×20 and centred by mass
in 28×28.

Options:
  --checkpoint FILE   the model (a checkpoint of dl train)
${BACKEND_HELP}
  --json              one JSON object per image

Examples:
  dl predict --checkpoint runs/a/best.safetensors digit.png
  dl predict --checkpoint runs/a/best.safetensors scans/*.pgm --json`;

function decode(path: string): Image8 {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new RunError(describeFsError(e, 'cannot read the image') ?? String(e));
  }
  try {
    const pgm =
      extname(path).toLowerCase() === '.pgm' ||
      (bytes[0] === 0x50 && (bytes[1] === 0x35 || bytes[1] === 0x32));
    return pgm ? decodePgm(bytes, path) : decodePng(bytes, path);
  } catch (e) {
    if (e instanceof ImageDecodeError) throw new RunError(e.message);
    throw e;
  }
}

/** `dl predict`: returns the exit code. */
export async function predictCommand(argv: readonly string[], io: Io): Promise<number> {
  const { values, positionals } = parseCommandArgs('predict', argv, OPTIONS, true);
  if (values.help) {
    io.write(`${PREDICT_HELP}\n`);
    return 0;
  }
  if (values.checkpoint === undefined)
    throw new CliError("predict: --checkpoint FILE is required (see 'dl predict --help')");
  if (positionals.length === 0) throw new CliError('predict: give at least one image (PNG or PGM)');
  await activateFromOptions(values);
  const file = resolve(values.checkpoint);
  const { network, spec } = readCheckpoint(file);
  const shape = specInputShape(spec);
  if (shape.reduce((a, b) => a * b, 1) !== 784) {
    throw new RunError(
      `${file} holds a ${describeSpec(spec)} for ${shape.join('x')} inputs; dl predict makes 28×28 digits`,
    );
  }
  const digits = positionals.map((p) => toMnistDigit(decode(p)));
  const x = new Tensor(new Float32Array(digits.length * 784), [digits.length, ...shape], 'float32');
  digits.forEach((d, i) => x.data.set(d, i * 784));
  const probs = softmax(network.predict(x, { train: false }));
  const classes = probs.shape[1]!;
  positionals.forEach((path, i) => {
    const p = Array.from(probs.data.subarray(i * classes, (i + 1) * classes));
    const best = p.indexOf(Math.max(...p));
    if (values.json) {
      io.write(`${JSON.stringify({ image: path, class: best, probability: p[best], probabilities: p })}\n`);
    } else {
      io.write(
        `${path}: ${best} (${(100 * p[best]!).toFixed(1)}%)  ${p.map((v, c) => `${c}:${v.toFixed(3)}`).join(' ')}\n`,
      );
    }
  });
  return 0;
}
