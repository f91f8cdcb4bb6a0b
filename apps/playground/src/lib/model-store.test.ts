import { buildModel, saveModel, type ModelSpec } from '@dl/layers';
import { describe, expect, it } from 'vitest';
import { modelFromBytes } from './model-store.js';

describe('modelFromBytes', () => {
  it('loads a dl model that classifies 28×28 images', () => {
    const spec: ModelSpec = { kind: 'two-layer-net', inputSize: 784, hiddenSize: 8, outputSize: 10 };
    const bytes = saveModel(buildModel(spec), spec, { metadata: { 'playground.testAccuracy': '0.5' } });
    const m = modelFromBytes(bytes, 'file', 'a.safetensors');
    expect(m.spec).toEqual(spec);
    expect(m.note).toBe('test accuracy 50.0%');
    expect(m.network.params().map((p) => p.name)).toEqual(['W1', 'b1', 'W2', 'b2']);
  });

  it('loads a convolutional network, whose input is a 1×28×28 image', () => {
    const spec: ModelSpec = {
      kind: 'simple-conv-net',
      convParam: { filterNum: 2, filterSize: 3 },
      hiddenSize: 4,
    };
    const m = modelFromBytes(saveModel(buildModel(spec), spec), 'trained', 'cnn');
    expect(m.network.params()[0]!.value.shape).toEqual([2, 1, 3, 3]);
  });

  it('refuses models for other inputs or other numbers of classes, naming the file', () => {
    const wide: ModelSpec = { kind: 'two-layer-net', inputSize: 100, hiddenSize: 4, outputSize: 10 };
    expect(() => modelFromBytes(saveModel(buildModel(wide), wide), 'file', 'wide.safetensors')).toThrow(
      /wide\.safetensors: the model takes inputs of shape \[100\]/,
    );
    const three: ModelSpec = { kind: 'two-layer-net', inputSize: 784, hiddenSize: 4, outputSize: 3 };
    expect(() => modelFromBytes(saveModel(buildModel(three), three), 'file', 'three.safetensors')).toThrow(
      /3 scores/,
    );
  });

  it('refuses bytes that are not a safetensors file', () => {
    expect(() => modelFromBytes(Uint8Array.from([1, 2, 3]), 'file', 'junk.safetensors')).toThrow(
      /junk\.safetensors/,
    );
  });
});
