import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadModel, specInputShape } from '@dl/layers';
import { argmax, Tensor } from '@dl/tensor';
import { describe, expect, it } from 'vitest';
import { preprocessStrokes, type Stroke } from '@dl/data-mnist/digit';
import { SHIPPED_MODELS, type ShippedModelName } from './shipped-model.js';

// The committed model files (scripts/train-shipped-model.ts), read from public/ as the app serves them.
function load(name: ShippedModelName): ReturnType<typeof loadModel> {
  const path = join(import.meta.dirname, '..', '..', 'public', SHIPPED_MODELS[name].file);
  return loadModel(new Uint8Array(readFileSync(path)), { file: path });
}

const ONE: Stroke = [
  [150, 50],
  [146, 120],
  [142, 180],
  [140, 235],
];
const ZERO: Stroke = Array.from({ length: 41 }, (_, i) => {
  const a = (i / 40) * 2 * Math.PI;
  return [140 + 55 * Math.sin(a), 140 - 85 * Math.cos(a)] as const;
});
const SEVEN: Stroke = [
  [80, 50],
  [200, 50],
  [120, 240],
];

describe.each(Object.keys(SHIPPED_MODELS) as ShippedModelName[])('the shipped %s', (name) => {
  const { network, spec, metadata } = load(name);

  it('is the spec the app describes, trained to over 96% test accuracy', () => {
    expect(spec).toMatchObject(SHIPPED_MODELS[name].spec);
    expect(Number(metadata['playground.testAccuracy'])).toBeGreaterThan(0.96);
  });

  it('reads preprocessed strokes: a 1, a 0 and a 7', () => {
    const classify = (stroke: Stroke): number => {
      const image = preprocessStrokes([stroke])!;
      const x = new Tensor(image, [1, ...specInputShape(spec)], 'float32');
      return argmax(network.predict(x), { axis: 1 }).data[0]!;
    };
    expect(classify(ONE)).toBe(1);
    expect(classify(ZERO)).toBe(0);
    expect(classify(SEVEN)).toBe(7);
  });
});
