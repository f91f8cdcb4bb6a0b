import type { RngState } from '@dl/tensor';
import type { FloatTensor } from '../layer.js';
import type { LayerNetwork } from '../networks/layer-network.js';
import { buildModel } from '../spec/build-model.js';
import type { ModelSpec } from '../spec/model-spec.js';
import { ModelSpecError, parseModelSpec } from '../spec/validate-spec.js';
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
import { isHalfTensor, type StoredTensor } from './safetensors-types.js';

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
}

export interface LoadedModel {
  /** Rebuilt from `spec`, every weight and running statistic restored; `specOf(network)` is `spec`. */
  network: LayerNetwork;
  spec: ModelSpec;
  optimizer?: { header: unknown; tensors: Record<string, FloatTensor> };
  rng?: RngState;
  /** The extra metadata given to `saveModel`. */
  metadata: Record<string, string>;
}

/**
 * Serialises a network as safetensors: every parameter by its book name (`W1`, `b1`, `gamma1`...),
 * the buffers (`BatchNorm1.running_mean`...), optionally the optimizer's tensors; `__metadata__`
 * holds the spec (`dl.spec`), format and version, the optimizer header and RNG state as JSON. Throws
 * if the network is not what `spec` builds, so every saved file loads.
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

  const tensors = new Map<string, StoredTensor>(own.map((t) => [t.name, t.value]));
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

/**
 * Reads what `saveModel` wrote: rebuilds the network from its spec, in the dtype of the stored weights,
 * and restores every parameter and buffer after checking names, dtypes and shapes (missing or extra
 * tensors are errors, listed together). `options.file` names the file in errors.
 */
export function loadModel(bytes: Uint8Array, options: { file?: string } = {}): LoadedModel {
  const { file } = options;
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
    if (isHalfTensor(t))
      return fail(`tensor '${name}' is ${t.dtype}; only F32 and F64 weights load (for now)`);
    if (!name.startsWith(OPTIMIZER_PREFIX)) model.set(name, t);
    else if (t.dtype === 'float32' || t.dtype === 'float64') optimizerTensors[name] = t as FloatTensor;
    else fail(`optimizer tensor '${name}' is ${t.dtype}, expected float32 or float64`);
  }
  // The file's weights decide the network's dtype; `differences` then requires every one to agree.
  const dtype = model.values().next().value?.dtype;
  if (dtype === undefined) return fail('the file holds no weights');
  if (dtype !== 'float32' && dtype !== 'float64')
    return fail(`the weights must be float32 or float64, got ${dtype}`);

  let network: LayerNetwork;
  try {
    network = buildModel(spec, { dtype });
  } catch (e) {
    return specError(e);
  }
  const expected = stateTensors(network);
  const problems = differences(expected, model);
  if (problems.length > 0) fail(`the tensors do not match the spec's network: ${problems.join('; ')}`);
  for (const { name, value } of expected) value.data.set(model.get(name)!.data);

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
    ...(header !== undefined && { optimizer: { header, tensors: optimizerTensors } }),
    ...(rng !== undefined && { rng: parseRngState(rng, file) }),
  };
}
