import { loadModel, specInputShape, type LayerNetwork, type ModelSpec } from '@dl/layers';
import { Tensor } from '@dl/tensor';
import { IMAGE_SIZE } from './mnist-asset.js';
import { publicUrl } from './public-url.js';
import { SHIPPED_MODELS, type ShippedModelName } from './shipped-model.js';

/**
 * The digit classifiers the app holds, by where they came from. Lives as long as the tab, so a model
 * trained on the training page is there on the draw page.
 */
export type ModelSource = 'trained' | 'file' | `shipped:${ShippedModelName}`;

export interface StoredModel {
  source: ModelSource;
  /** A file name or a description. */
  name: string;
  network: LayerNetwork;
  spec: ModelSpec;
  /** The model as a dl `.safetensors` file (for download). */
  bytes: Uint8Array;
  /** What is known of its accuracy, if anything. */
  note: string;
}

const models = new Map<ModelSource, StoredModel>();
const listeners = new Set<() => void>();

export function getModel(source: ModelSource): StoredModel | undefined {
  return models.get(source);
}

export function setModel(model: StoredModel): void {
  models.set(model.source, model);
  for (const l of listeners) l();
}

/** Calls `listener` whenever a model is added or replaced; returns the unsubscribe function. */
export function onModelsChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/**
 * Reads a dl `.safetensors` model and checks that it classifies MNIST images: 784 inputs (flat or
 * 1×28×28) and 10 scores. Throws an Error that says what does not fit.
 */
export function modelFromBytes(bytes: Uint8Array, source: ModelSource, name: string): StoredModel {
  const loaded = loadModel(bytes, { file: name });
  const shape = specInputShape(loaded.spec);
  const size = shape.reduce((a, b) => a * b, 1);
  if (size !== IMAGE_SIZE) {
    throw new Error(`${name}: the model takes inputs of shape [${shape.join(', ')}], not a 28×28 image`);
  }
  const scores = loaded.network.predict(
    new Tensor(new Float32Array(size).fill(0.1), [1, ...shape], 'float32'),
    { train: false },
  );
  if (scores.size !== 10) {
    throw new Error(`${name}: the model gives ${scores.size} scores per image, not 10 (one per digit)`);
  }
  const accuracy = loaded.metadata['playground.testAccuracy'];
  return {
    source,
    name,
    network: loaded.network,
    spec: loaded.spec,
    bytes,
    note: accuracy !== undefined ? `test accuracy ${(Number(accuracy) * 100).toFixed(1)}%` : '',
  };
}

const shippedLoads = new Map<ShippedModelName, Promise<StoredModel>>();

/** A model shipped with the app (fetched once per tab). */
export function loadShippedModel(name: ShippedModelName): Promise<StoredModel> {
  let load = shippedLoads.get(name);
  if (!load) {
    const { file, label } = SHIPPED_MODELS[name];
    load = (async () => {
      const url = publicUrl(file);
      const response = await fetch(url);
      if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
      const model = modelFromBytes(new Uint8Array(await response.arrayBuffer()), `shipped:${name}`, label);
      setModel(model);
      return model;
    })();
    load.catch(() => shippedLoads.delete(name));
    shippedLoads.set(name, load);
  }
  return load;
}
