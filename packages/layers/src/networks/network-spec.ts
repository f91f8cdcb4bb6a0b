import type { ModelSpec } from '../model-spec/model-spec.js';
import type { LayerNetwork } from './layer-network.js';

// The spec each network was made from; a WeakMap so networks need no extra field and are freed as usual.
const SPECS = new WeakMap<LayerNetwork, ModelSpec>();

/**
 * Records the spec `network` was made from, as JSON (a copy: options the caller changes later do not
 * change it; `undefined` options are left out), frozen. Each book network's constructor records its
 * own options, so a network made with `new TwoLayerNet(...)` saves like one from `buildModel`.
 */
export function rememberSpec(network: LayerNetwork, spec: ModelSpec): void {
  SPECS.set(network, deepFreeze(JSON.parse(JSON.stringify(spec)) as ModelSpec));
}

/**
 * The spec a network was made from: by a book network's constructor (`new TwoLayerNet(...)`,
 * `new SimpleConvNet({...})`...), by `buildModel` or by `loadModel`; undefined for a network put
 * together by hand (`new LayerNetwork(...)`, `NetworkBuilder`).
 */
export function specOf(network: LayerNetwork): ModelSpec | undefined {
  return SPECS.get(network);
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
