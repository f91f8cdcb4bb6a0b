import {
  LAYER_TYPES,
  MODEL_KINDS,
  type ConvParamSpec,
  type LayerSpec,
  type LayerType,
  type ModelKind,
  type ModelSpec,
} from './model-spec.js';

/** A spec that is not a valid `ModelSpec`; the message gives the path (`spec.layers[2].units`) and the fix. */
export class ModelSpecError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(`ModelSpec: ${message}`, options);
    this.name = 'ModelSpecError';
  }
}

type Check = (value: unknown, path: string) => void;
interface Field {
  readonly check: Check;
  readonly optional: boolean;
}
/** One `Field` per property but the tag, so a property added to a spec type must be checked here too. */
type Schema<T> = { readonly [K in Exclude<keyof T, 'kind' | 'type'>]-?: Field };

const fail = (path: string, problem: string): never => {
  throw new ModelSpecError(`${path}: ${problem}`);
};
const show = (v: unknown): string => (v === undefined ? 'nothing' : JSON.stringify(v));
const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const size: Check = (v, path) => {
  if (!(Number.isSafeInteger(v) && (v as number) > 0)) fail(path, `must be an integer > 0, got ${show(v)}`);
};
const sizes =
  (atLeast: number): Check =>
  (v, path) => {
    if (!Array.isArray(v) || v.length < atLeast)
      fail(path, `must be an array of at least ${atLeast} integers > 0, got ${show(v)}`);
    (v as unknown[]).forEach((d, i) => size(d, `${path}[${i}]`));
  };
/** Exactly `n` sizes (`[C, H, W]` for n = 3). */
const dims =
  (n: number): Check =>
  (v, path) => {
    if (!Array.isArray(v) || v.length !== n)
      fail(path, `must be an array of ${n} integers > 0, got ${show(v)}`);
    (v as unknown[]).forEach((d, i) => size(d, `${path}[${i}]`));
  };
/** A square size or `[height, width]`. */
const size2d: Check = (v, path) => {
  if (Array.isArray(v)) {
    if (v.length !== 2) fail(path, `must be an integer > 0 or [height, width], got ${show(v)}`);
    v.forEach((d, i) => size(d, `${path}[${i}]`));
  } else if (!(Number.isSafeInteger(v) && (v as number) > 0)) {
    fail(path, `must be an integer > 0 or [height, width], got ${show(v)}`);
  }
};
const count: Check = (v, path) => {
  if (!(Number.isSafeInteger(v) && (v as number) >= 0)) fail(path, `must be an integer >= 0, got ${show(v)}`);
};
const nonNegative: Check = (v, path) => {
  if (!(typeof v === 'number' && Number.isFinite(v) && v >= 0))
    fail(path, `must be a number >= 0, got ${show(v)}`);
};
const positive: Check = (v, path) => {
  if (!(typeof v === 'number' && Number.isFinite(v) && v > 0))
    fail(path, `must be a number > 0, got ${show(v)}`);
};
const ratio: Check = (v, path) => {
  if (!(typeof v === 'number' && v >= 0 && v < 1)) fail(path, `must be a number in [0, 1), got ${show(v)}`);
};
const boolean: Check = (v, path) => {
  if (typeof v !== 'boolean') fail(path, `must be true or false, got ${show(v)}`);
};
const oneOf =
  (values: readonly string[]): Check =>
  (v, path) => {
    if (!values.includes(v as string))
      fail(path, `must be one of ${values.map(show).join(', ')}, got ${show(v)}`);
  };
const WEIGHT_INITS = ['xavier', 'he', 'relu', 'sigmoid'];
const weightInit: Check = (v, path) => {
  if (typeof v === 'number') nonNegative(v, path);
  else if (!WEIGHT_INITS.includes(v as string))
    fail(path, `must be a standard deviation or one of ${WEIGHT_INITS.map(show).join(', ')}, got ${show(v)}`);
};

const req = (check: Check): Field => ({ check, optional: false });
const opt = (check: Check): Field => ({ check, optional: true });

const CONV_PARAM: Schema<ConvParamSpec> = {
  filterNum: req(size),
  filterSize: req(size2d),
  stride: opt(size),
  pad: opt(count),
};
const convParam: Check = (v, path) => checkFields(v, path, 'a convolution', CONV_PARAM);
const convParams: Check = (v, path) => {
  if (!Array.isArray(v) || v.length !== 6)
    fail(
      path,
      `must be an array of 6 convolutions ({ filterNum, filterSize, stride?, pad? }), got ${show(v)}`,
    );
  (v as unknown[]).forEach((p, i) => convParam(p, `${path}[${i}]`));
};

const mlp = {
  inputSize: req(size),
  hiddenSizeList: req(sizes(0)),
  outputSize: req(size),
  activation: opt(oneOf(['relu', 'sigmoid'])),
  weightInitStd: opt(weightInit),
  weightDecayLambda: opt(nonNegative),
};

const layers: Check = (v, path) => {
  if (!Array.isArray(v) || v.length === 0) fail(path, `must be a non-empty array of layers, got ${show(v)}`);
  (v as unknown[]).forEach((layer, i) => checkTagged(layer, `${path}[${i}]`, 'type', LAYER_SCHEMAS));
};

const MODEL_SCHEMAS: { readonly [K in ModelKind]: Schema<Extract<ModelSpec, { kind: K }>> } = {
  'two-layer-net': {
    inputSize: req(size),
    hiddenSize: req(size),
    outputSize: req(size),
    weightInitStd: opt(weightInit),
  },
  'multi-layer-net': mlp,
  'multi-layer-net-extend': {
    ...mlp,
    useBatchnorm: opt(boolean),
    useDropout: opt(boolean),
    dropoutRatio: opt(ratio),
    invertedDropout: opt(boolean),
  },
  'simple-conv-net': {
    inputDim: opt(dims(3)),
    convParam: opt(convParam),
    hiddenSize: opt(size),
    outputSize: opt(size),
    weightInitStd: opt(weightInit),
  },
  'deep-conv-net': {
    inputDim: opt(dims(3)),
    convParams: opt(convParams),
    hiddenSize: opt(size),
    outputSize: opt(size),
    dropoutRatio: opt(ratio),
    invertedDropout: opt(boolean),
    weightInitStd: opt(weightInit),
  },
  lenet: {
    inputDim: opt(dims(3)),
    firstPad: opt(count),
    outputSize: opt(size),
    activation: opt(oneOf(['sigmoid', 'relu'])),
    pooling: opt(oneOf(['average', 'max'])),
    weightInitStd: opt(weightInit),
  },
  sequential: { input: req(sizes(1)), layers: req(layers), weightDecayLambda: opt(nonNegative) },
};

const LAYER_SCHEMAS: { readonly [T in LayerType]: Schema<Extract<LayerSpec, { type: T }>> } = {
  affine: { units: req(size), init: opt(weightInit) },
  convolution: {
    filters: req(size),
    size: req(size2d),
    stride: opt(size),
    pad: opt(count),
    init: opt(weightInit),
  },
  pooling: { size: req(size2d), stride: opt(size), pad: opt(count), mode: opt(oneOf(['max', 'average'])) },
  relu: {},
  sigmoid: {},
  batchnorm: {
    momentum: opt(ratio),
    eps: opt(positive),
    mode: opt(oneOf(['per-activation', 'per-channel'])),
  },
  dropout: { ratio: req(ratio), inverted: opt(boolean) },
};

function checkTagged(
  value: unknown,
  path: string,
  tag: 'kind' | 'type',
  schemas: Readonly<Record<string, Readonly<Record<string, Field>>>>,
): void {
  if (!isRecord(value)) return fail(path, `must be an object with a '${tag}', got ${show(value)}`);
  const known = tag === 'kind' ? MODEL_KINDS : LAYER_TYPES;
  const name = value[tag];
  const schema = typeof name === 'string' && Object.hasOwn(schemas, name) ? schemas[name] : undefined;
  if (!schema) return fail(`${path}.${tag}`, `unknown ${tag} ${show(name)} (known: ${known.join(', ')})`);
  checkFields(value, path, `'${name as string}'`, schema, tag);
  if (tag === 'type' && name === 'pooling') checkPoolingStride(value, path);
}

/** Checks each field of `schema` and rejects any other key but `tag` (`what` names the object in errors). */
function checkFields(
  value: unknown,
  path: string,
  what: string,
  schema: Readonly<Record<string, Field>>,
  tag?: string,
): void {
  const allowed = Object.keys(schema).join(', ') || 'none';
  if (!isRecord(value)) return fail(path, `must be ${what} ({ ${allowed} }), got ${show(value)}`);
  for (const key of Object.keys(value)) {
    if (key !== tag && !Object.hasOwn(schema, key))
      fail(`${path}.${key}`, `is not an option of ${what} (options: ${allowed})`);
  }
  for (const [key, field] of Object.entries(schema)) {
    const v = value[key];
    if (v === undefined && field.optional) continue;
    field.check(v, `${path}.${key}`);
  }
}

/** A pooling's stride defaults to its window, which is one number only for a square window. */
function checkPoolingStride(value: Record<string, unknown>, path: string): void {
  const size = value['size'] as number | [number, number];
  if (value['stride'] === undefined && Array.isArray(size) && size[0] !== size[1])
    fail(
      `${path}.stride`,
      `is required for a non-square window ${show(size)} (the default stride is the window size, which must be one number)`,
    );
}

/**
 * Checks that `value` (parsed JSON, or a typed spec from JS) is a valid `ModelSpec` and returns a
 * deep copy of it: known kind and layer types, every size a positive integer, paddings integers
 * >= 0, ratios in [0, 1), no unknown options (a misspelt option is an error, never silently
 * ignored). Geometry (a filter larger than its padded input, a pooling pad not smaller than the
 * window) depends on the shapes flowing through the network: `buildModel` checks it.
 */
export function parseModelSpec(value: unknown): ModelSpec {
  checkTagged(value, 'spec', 'kind', MODEL_SCHEMAS);
  return JSON.parse(JSON.stringify(value)) as ModelSpec;
}
