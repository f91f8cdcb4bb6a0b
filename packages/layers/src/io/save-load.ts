import {
  allocate,
  fromHalf,
  Tensor,
  toHalf,
  type FloatDType,
  type HalfFormat,
  type Kernels,
  type RngState,
} from '@dl/tensor';
import type { WeightPrecision } from '../analysis/reduced-precision.js';
import type { FloatTensor } from '../layer.js';
import type { LayerNetwork } from '../networks/layer-network.js';
import { buildModel } from '../model-spec/build-model.js';
import type { ModelSpec } from '../model-spec/model-spec.js';
import { ModelSpecError, parseModelSpec } from '../model-spec/validate-spec.js';
import {
  META,
  MODEL_FORMAT,
  MODEL_FORMAT_VERSION,
  ModelFileError,
  OPTIMIZER_PREFIX,
  RESERVED_PREFIX,
  parseJsonEntry,
  parseRngState,
} from './model-metadata.js';
import { readSafetensors, writeSafetensors } from './safetensors.js';
import { differences, stateTensors } from './state-tensors.js';
import { isHalfTensor, type HalfDType, type HalfTensor, type StoredTensor } from './safetensors-types.js';

/** The precision a file stores a network's tensors in: its own dtype, or a narrower one. */
export type StoredPrecision = 'float64' | WeightPrecision;

const HALF_DTYPE: { readonly [F in HalfFormat]: HalfDType } = { float16: 'F16', bfloat16: 'BF16' };
const PRECISION_OF: { readonly [D in StoredTensor['dtype']]?: StoredPrecision } = {
  float64: 'float64',
  float32: 'float32',
  F16: 'float16',
  BF16: 'bfloat16',
};
const PRECISIONS: readonly WeightPrecision[] = ['float32', 'float16', 'bfloat16'];

/**
 * An optimizer's state flattened for a file, as @dl/optim's `optimizerStateToTensors(state)` gives it:
 * a JSON-able header and float tensors named `optimizer.<slot>.<param>`. Opaque here (layers does not
 * depend on optim); the caller restores it with `optimizerStateFromTensors(header, tensors)`.
 */
export interface OptimizerTensors {
  readonly header: unknown;
  readonly tensors: Readonly<Record<string, FloatTensor>>;
}

export interface SaveModelOptions {
  optimizer?: OptimizerTensors;
  /** The training RNG's `getState()`, to resume the same random stream. */
  rng?: RngState;
  /** Extra string metadata (JSON-encode structured values); keys must not start with `dl.`. */
  metadata?: Readonly<Record<string, string>>;
  /**
   * The precision the network's tensors are stored in (default: its own dtype, exactly): 'float32',
   * or 'float16' / 'bfloat16' (safetensors `F16` / `BF16`: half the bytes of float32). Every tensor
   * of the network is rounded (to nearest, ties to even): the parameters and the BatchNorm running
   * statistics alike, as `withWeightPrecision` rounds them, so the loaded network predicts exactly
   * as `withWeightPrecision(network, precision, ...)` does. Optimizer tensors are always stored as
   * given (Adam's tiny second moments would underflow in float16). The network's dtype is recorded
   * (`dl.dtype`), so `loadModel` widens the weights back to it: a float64 network stays float64.
   * float16 overflows beyond ±65504: saving a weight that large throws (use 'bfloat16').
   */
  precision?: WeightPrecision;
}

export interface LoadedModel {
  /** Rebuilt from `spec`, every weight and running statistic restored; `specOf(network)` is `spec`. */
  network: LayerNetwork;
  spec: ModelSpec;
  optimizer?: { header: unknown; tensors: Record<string, FloatTensor> };
  rng?: RngState;
  /** The extra metadata given to `saveModel`. */
  metadata: Record<string, string>;
  /** The precision the weights were stored in ('float16' when saved so); the network computes in its own dtype. */
  precision: StoredPrecision;
}

/**
 * Serialises a network as safetensors: every parameter by its book name (`W1`, `b1`, `gamma1`...),
 * the buffers (`BatchNorm1.running_mean`...), optionally the optimizer's tensors; `__metadata__`
 * holds the spec (`dl.spec`), format and version, the network's dtype (`dl.dtype`), the optimizer
 * header and RNG state as JSON. `options.precision` stores the network in float16 or bfloat16.
 * Throws if the network is not what `spec` builds, so every saved file loads.
 */
export function saveModel(
  network: LayerNetwork,
  spec: ModelSpec,
  options: SaveModelOptions = {},
): Uint8Array {
  const checked = parseModelSpec(spec);
  const own = stateTensors(network);
  const dtype = own[0]?.value.dtype ?? 'float32';
  const problems = differences(
    stateTensors(buildModel(checked, { dtype })),
    new Map(own.map((t) => [t.name, t.value])),
  );
  if (problems.length > 0)
    throw new Error(`saveModel: the network is not what its spec builds: ${problems.join('; ')}`);

  const { precision } = options;
  if (precision !== undefined && !PRECISIONS.includes(precision))
    throw new Error(
      `saveModel: precision must be one of ${PRECISIONS.map((p) => `'${p}'`).join(', ')}, got ${JSON.stringify(precision)}`,
    );
  const tensors = new Map<string, StoredTensor>(
    own.map((t) => [t.name, storeAs(t.name, t.value, precision)]),
  );
  for (const [name, t] of Object.entries(options.optimizer?.tensors ?? {})) {
    if (!name.startsWith(OPTIMIZER_PREFIX))
      throw new Error(
        `saveModel: optimizer tensor '${name}' must be named '${OPTIMIZER_PREFIX}<slot>.<param>'`,
      );
    tensors.set(name, t);
  }
  const metadata: Record<string, string> = {};
  for (const [key, value] of Object.entries(options.metadata ?? {})) {
    if (key.startsWith(RESERVED_PREFIX))
      throw new Error(
        `saveModel: metadata key '${key}' is reserved (keys starting with '${RESERVED_PREFIX}')`,
      );
    metadata[key] = value;
  }
  metadata[META.format] = MODEL_FORMAT;
  metadata[META.version] = String(MODEL_FORMAT_VERSION);
  metadata[META.spec] = JSON.stringify(checked);
  metadata[META.dtype] = dtype;
  if (options.optimizer) {
    const header = JSON.stringify(options.optimizer.header) as string | undefined;
    if (header === undefined) throw new Error('saveModel: optimizer.header must be JSON-serialisable');
    metadata[META.optimizer] = header;
  }
  if (options.rng) {
    const { s, ...rest } = options.rng; // words stored unsigned, as RngState documents them
    metadata[META.rng] = JSON.stringify({ ...rest, s: s.map((w) => w >>> 0) });
  }
  return writeSafetensors(tensors, metadata);
}

/** A network tensor as the file stores it in `precision` (the tensor itself when no rounding is asked). */
function storeAs(name: string, value: FloatTensor, precision: WeightPrecision | undefined): StoredTensor {
  if (precision === undefined || (precision === 'float32' && value.dtype === 'float32')) return value;
  if (precision === 'float32') return value.astype('float32'); // rounds to nearest, as Math.fround
  const data = toHalf(value, precision);
  // Infinity's pattern is the format's all-ones exponent with a zero mantissa, with either sign.
  const inf = precision === 'float16' ? 0x7c00 : 0x7f80;
  for (let i = 0; i < data.length; i++) {
    if ((data[i]! & 0x7fff) === inf && Number.isFinite(value.data[i]!)) {
      throw new Error(
        `saveModel: ${name}[${i}] = ${value.data[i]!} is beyond ${precision}'s range and would be stored as ±Infinity` +
          (precision === 'float16' ? "; use precision 'bfloat16' (float32's range)" : ''),
      );
    }
  }
  return { dtype: HALF_DTYPE[precision], shape: value.shape, data } satisfies HalfTensor;
}

/**
 * Reads what `saveModel` wrote: rebuilds the network from its spec, in its recorded dtype (`dl.dtype`;
 * files without it: the stored weights' dtype), and restores every parameter and buffer after
 * checking names, dtypes and shapes (missing or extra tensors are errors, listed together). Weights
 * stored in a narrower precision (F32 for a float64 network, F16, BF16) are widened exactly.
 * `options.file` names the file in errors; `options.backend` is the backend the network is built on
 * (its weights then live in that backend's storage).
 */
/**
 * A copy of `network` on the CPU (the process default backend), built from `spec` and filled with
 * every parameter and buffer read back with `await t.read()`: how a network on a backend whose
 * tensors the CPU cannot read synchronously (`webgpu`) is saved (`saveModel(await hostCopy(...))`).
 */
export async function hostCopy(network: LayerNetwork, spec: ModelSpec): Promise<LayerNetwork> {
  const own = stateTensors(network);
  const copy = buildModel(parseModelSpec(spec), { dtype: own[0]?.value.dtype ?? 'float32' });
  const byName = new Map(stateTensors(copy).map((t) => [t.name, t.value]));
  for (const { name, value } of own) {
    const target = byName.get(name);
    if (target === undefined || target.size !== value.size)
      throw new Error(`hostCopy: the network is not what its spec builds (tensor '${name}')`);
    target.data.set(await value.read());
  }
  return copy;
}

export function loadModel(
  bytes: Uint8Array,
  options: { file?: string; backend?: Kernels } = {},
): LoadedModel {
  const { file, backend } = options;
  const fail = (message: string): never => {
    throw new ModelFileError(message, file);
  };
  const { tensors, metadata } = readSafetensors(bytes, { file });
  if (metadata[META.format] !== MODEL_FORMAT)
    fail(
      `not a dl model (metadata '${META.format}' is ${JSON.stringify(metadata[META.format])}, expected '${MODEL_FORMAT}')`,
    );
  const version = Number(metadata[META.version]);
  if (!(Number.isInteger(version) && version >= 1 && version <= MODEL_FORMAT_VERSION))
    fail(
      `format version ${metadata[META.version]} is not one this code reads (1..${MODEL_FORMAT_VERSION}); update @dl/layers`,
    );

  const specError = (e: unknown): never => {
    if (e instanceof ModelSpecError) fail(`the stored spec is invalid: ${e.message}`);
    throw e;
  };
  let spec: ModelSpec;
  try {
    spec = parseModelSpec(parseJsonEntry(metadata, META.spec, file));
  } catch (e) {
    return specError(e);
  }
  const model = new Map<string, StoredTensor>();
  const optimizerTensors: Record<string, FloatTensor> = {};
  for (const [name, t] of tensors) {
    if (!name.startsWith(OPTIMIZER_PREFIX)) model.set(name, t);
    else if (t.dtype === 'float32' || t.dtype === 'float64') optimizerTensors[name] = t as FloatTensor;
    else fail(`optimizer tensor '${name}' is ${t.dtype}, expected float32 or float64`);
  }
  // The first weight decides the stored precision; `differences` then requires every one to agree.
  const stored = model.values().next().value?.dtype;
  if (stored === undefined) return fail('the file holds no weights');
  const precision = PRECISION_OF[stored];
  if (precision === undefined)
    return fail(`the weights must be float32, float64, F16 or BF16, got ${stored}`);
  const dtype = networkDType(metadata[META.dtype], precision, fail);

  let network: LayerNetwork;
  try {
    network = buildModel(spec, { dtype, ...(backend === undefined ? {} : { backend }) });
  } catch (e) {
    return specError(e);
  }
  const expected = stateTensors(network);
  const problems = differences(expected, model, stored);
  if (problems.length > 0) fail(`the tensors do not match the spec's network: ${problems.join('; ')}`);
  // `assign`: into the network's storage wherever it lives (on a GPU, an upload).
  for (const { name, value } of expected) {
    const host = allocate(value.dtype, value.size, undefined);
    host.set(widen(model.get(name)!));
    value.assign(new Tensor(host, value.shape, value.dtype, undefined));
  }

  const header = parseJsonEntry(metadata, META.optimizer, file);
  if (header === undefined && Object.keys(optimizerTensors).length > 0)
    fail(
      `optimizer tensors without '${META.optimizer}' metadata: ${Object.keys(optimizerTensors).join(', ')}`,
    );
  const rng = parseJsonEntry(metadata, META.rng, file);
  const extra = Object.fromEntries(
    Object.entries(metadata).filter(([key]) => !key.startsWith(RESERVED_PREFIX)),
  );
  return {
    network,
    spec,
    metadata: extra,
    precision,
    ...(header !== undefined && { optimizer: { header, tensors: optimizerTensors } }),
    ...(rng !== undefined && { rng: parseRngState(rng, file) }),
  };
}

/** The dtype to build the network in: `dl.dtype`, checked against the stored precision. */
function networkDType(
  declared: string | undefined,
  precision: StoredPrecision,
  fail: (message: string) => never,
): FloatDType {
  if (declared === undefined) return precision === 'float64' ? 'float64' : 'float32'; // older files
  if (declared !== 'float32' && declared !== 'float64')
    return fail(`metadata '${META.dtype}' is ${JSON.stringify(declared)}, expected 'float32' or 'float64'`);
  if (precision === 'float64' && declared === 'float32')
    return fail(
      `metadata '${META.dtype}' is '${declared}' but the weights are stored as float64, wider than it: ` +
        'the file disagrees with itself (re-save the network, or set dl.dtype to float64)',
    );
  return declared;
}

/** A stored weight's values, widened exactly to float32 (half precision) or as stored. */
function widen(t: StoredTensor): ArrayLike<number> {
  if (!isHalfTensor(t)) return t.data;
  return fromHalf(t.data, t.shape, t.dtype === 'F16' ? 'float16' : 'bfloat16').data;
}
