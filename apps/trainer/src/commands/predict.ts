import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { hasInk, toMnistDigit } from '@dl/data-mnist';
import { softmax, specInputShape } from '@dl/layers';
import { parseCommandArgs } from '../cli/args.js';
import type { Io } from '../cli/io.js';
import { activateFromOptions, BACKEND_HELP, BACKEND_OPTIONS } from '../backend.js';
import { CliError } from '../cli-error.js';
import { modelInput, networkOn, openModel } from '../eval/open-model.js';
import { decodePgm } from '../image/pgm.js';
import { ImageDecodeError, decodePng } from '../image/png-decode.js';
import type { Image8 } from '../image/png-encode.js';
import { RunError, describeFsError } from '../run-error.js';
import { describeSpec } from '../run/checkpoint.js';

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
in 28×28. Images over 16 megapixels or 8192 pixels a side are refused before decoding; a blank
image (no ink) is classified with a warning.

Options:
  --checkpoint FILE   the model: a checkpoint of dl train, or its run directory (best.safetensors)
${BACKEND_HELP}
  --json              one JSON object per image

Examples:
  dl predict --checkpoint runs/a digit.png
  dl predict --checkpoint runs/a/best.safetensors scans/*.pgm --json`;

function decode(path: string): Image8 {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    // Node names no path in some errors (EISDIR from readFileSync): say which image it was.
    const reason = describeFsError(e, 'cannot read the image') ?? String(e);
    throw new RunError(reason.includes(path) ? reason : `${path}: ${reason}`);
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
  const active = await activateFromOptions(values);
  const opened = openModel(values.checkpoint, (t) => io.error(t));
  const { spec, file, dtype } = opened;
  const network = active.name === 'webgpu' ? networkOn(opened.network, spec, active.kernels) : opened.network;
  const shape = specInputShape(spec);
  if (shape.reduce((a, b) => a * b, 1) !== 784) {
    throw new RunError(
      `${file} holds a ${describeSpec(spec)} for ${shape.join('x')} inputs; dl predict makes 28×28 digits`,
    );
  }
  const digits = positionals.map((p) => toMnistDigit(decode(p)));
  const pixels = new Float32Array(digits.length * 784);
  digits.forEach((d, i) => {
    pixels.set(d, i * 784);
    if (!hasInk(d))
      io.error(
        `warning: ${positionals[i]!} is blank (no ink after preprocessing); its class means nothing\n`,
      );
  });
  const x = modelInput(pixels, [digits.length, ...shape], dtype);
  const probs = softmax(network.predict(x, { train: false }));
  const classes = probs.shape[1]!;
  const probabilities = await probs.read();
  positionals.forEach((path, i) => {
    const p = Array.from(probabilities.subarray(i * classes, (i + 1) * classes));
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
