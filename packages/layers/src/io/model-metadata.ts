import type { RngState } from '@dl/tensor';

/** The `__metadata__` keys of a saved model; keys starting with `dl.` are reserved for these. */
export const META = {
  format: 'dl.format',
  version: 'dl.version',
  spec: 'dl.spec',
  optimizer: 'dl.optimizer',
  rng: 'dl.rng',
  /**
   * The network's dtype (`float32` or `float64`), which weights stored in a narrower precision
   * (`saveModel`'s `precision`) widen back to. Files without it load in the stored weights' dtype.
   */
  dtype: 'dl.dtype',
} as const;
export const RESERVED_PREFIX = 'dl.';
export const MODEL_FORMAT = 'dl.model';
/**
 * Bumped when a file written now could be misread by older code. Still 1 with `dl.dtype` and F16/BF16
 * weights: code from before them refuses half-precision weights with a clear error, and loads a
 * float64 network stored as F32 as a float32 one (same values), so no file is misread.
 */
export const MODEL_FORMAT_VERSION = 1;
/** Optimizer slot tensors are stored under this prefix (`optimizer.v.W1`), @dl/optim's default. */
export const OPTIMIZER_PREFIX = 'optimizer.';

/** A safetensors file that is valid but not a loadable model (no spec, missing or extra weights...). */
export class ModelFileError extends Error {
  readonly file: string | undefined;

  constructor(message: string, file?: string) {
    super(file === undefined ? `loadModel: ${message}` : `loadModel (${file}): ${message}`);
    this.name = 'ModelFileError';
    this.file = file;
  }
}

/** Parses a JSON metadata entry, naming the key when it is not JSON. */
export function parseJsonEntry(
  metadata: Readonly<Record<string, string>>,
  key: string,
  file?: string,
): unknown {
  const text = metadata[key];
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new ModelFileError(`metadata '${key}' is not valid JSON (${(e as Error).message})`, file);
  }
}

/** Checks the shape of a stored RNG state (`Rng.setState` checks the rest). */
export function parseRngState(value: unknown, file?: string): RngState {
  const v = value as Partial<Record<keyof RngState, unknown>> | null;
  // NOTE: Rng.getState can hand out words as signed int32 (results of `^=`); both forms are the same bits.
  const word = (w: unknown): boolean =>
    Number.isInteger(w) && (w as number) >= -(2 ** 31) && (w as number) < 2 ** 32;
  if (
    typeof v !== 'object' ||
    v === null ||
    v.algorithm !== 'xoshiro128**' ||
    !Array.isArray(v.s) ||
    v.s.length !== 4 ||
    !v.s.every(word) ||
    !(v.spare === null || typeof v.spare === 'number')
  ) {
    throw new ModelFileError(
      `metadata '${META.rng}' is not an RNG state ({ algorithm: 'xoshiro128**', s: [4 uint32], spare })`,
      file,
    );
  }
  return value as RngState;
}
