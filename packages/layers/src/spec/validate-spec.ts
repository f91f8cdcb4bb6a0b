import {
  LAYER_TYPES,
  MODEL_KINDS,
  type LayerSpec,
  type LayerType,
  type ModelKind,
  type ModelSpec,
} from './model-spec.js';

/** A spec that is not a valid `ModelSpec`; the message gives the path (`spec.layers[2].units`) and the fix. */
export class ModelSpecError extends Error {
  constructor(message: string) {
    super(`ModelSpec: ${message}`);
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
  sequential: { input: req(sizes(1)), layers: req(layers), weightDecayLambda: opt(nonNegative) },
};

const LAYER_SCHEMAS: { readonly [T in LayerType]: Schema<Extract<LayerSpec, { type: T }>> } = {
  affine: { units: req(size), init: opt(weightInit) },
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
  for (const key of Object.keys(value)) {
    if (key !== tag && !Object.hasOwn(schema, key)) {
      const allowed = Object.keys(schema).join(', ') || 'none';
      fail(`${path}.${key}`, `is not an option of '${name as string}' (options: ${allowed})`);
    }
  }
  for (const [key, field] of Object.entries(schema)) {
    const v = value[key];
    if (v === undefined && field.optional) continue;
    field.check(v, `${path}.${key}`);
  }
}

/**
 * Checks that `value` (parsed JSON, or a typed spec from JS) is a valid `ModelSpec` and returns a
 * deep copy of it: known kind and layer types, every size a positive integer, ratios in [0, 1), no
 * unknown options (a misspelt option is an error, never silently ignored).
 */
export function parseModelSpec(value: unknown): ModelSpec {
  checkTagged(value, 'spec', 'kind', MODEL_SCHEMAS);
  return JSON.parse(JSON.stringify(value)) as ModelSpec;
}
