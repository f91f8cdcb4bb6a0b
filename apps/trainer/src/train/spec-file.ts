import { readFileSync } from 'node:fs';
import { buildModel, ModelSpecError, parseModelSpec, specOutputSize, type ModelSpec } from '@dl/layers';
import { Rng } from '@dl/tensor';
import { RunError, describeFsError } from '../run-error.js';

/** Classes of MNIST-format data sets (the digits, Fashion-MNIST). */
const CLASSES = 10;

/**
 * Reads a `ModelSpec` JSON file (`dl train --spec FILE`) and checks it fully, geometry included (the
 * network is built once and dropped), before any run directory exists. Errors are one line naming
 * the file and the problem.
 */
export function readSpecFile(path: string): ModelSpec {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new RunError(
      describeFsError(e, 'cannot read the spec file') ?? `cannot read the spec file ${path}`,
      1,
      {
        cause: e,
      },
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    const reason = e instanceof Error ? (e.message.split('\n')[0] ?? e.message) : String(e);
    throw new RunError(`${path}: not valid JSON (${reason})`, 1, { cause: e });
  }
  try {
    const spec = parseModelSpec(value);
    buildModel(spec, { rng: new Rng(0) });
    const classes = specOutputSize(spec);
    if (classes < CLASSES) {
      throw new RunError(
        `${path}: the network scores ${classes} classes, but MNIST-format data has ${CLASSES} (give it outputSize / a last affine of ${CLASSES} units)`,
      );
    }
    return spec;
  } catch (e) {
    if (e instanceof ModelSpecError) throw new RunError(`${path}: ${e.message}`, 1, { cause: e });
    throw e;
  }
}
