import { describe, expect, it } from 'vitest';
import { fromArray, oneHot, tensor } from '@dl/tensor';
import type { FloatTensor } from '../layer.js';
import { listMisclassified } from './misclassified.js';

// A "model" whose scores are its input: the test controls every prediction.
const identity = { predict: (x: FloatTensor): FloatTensor => x };

describe('listMisclassified', () => {
  const scores = tensor(
    [
      [2, 1, 0], // predicts 0
      [0, 3, 0], // predicts 1
      [1, 1, 5], // predicts 2
      [0, 0, 0], // a three-way tie: the first class wins, as argmax
    ],
    'float64',
  );

  it('lists the wrong rows with label, prediction and softmax probabilities', () => {
    const wrong = listMisclassified(identity, scores, fromArray([0, 2, 2, 1], [4], 'int32'));
    expect(wrong.map(({ index, label, prediction }) => [index, label, prediction])).toEqual([
      [1, 2, 1],
      [3, 1, 0],
    ]);
    const e3 = Math.exp(3);
    expect(wrong[0]!.probability).toBeCloseTo(e3 / (e3 + 2), 14);
    expect(wrong[0]!.labelProbability).toBeCloseTo(1 / (e3 + 2), 14);
    expect(wrong[1]!.probability).toBeCloseTo(1 / 3, 14);
    expect(wrong[1]!.labelProbability).toBeCloseTo(1 / 3, 14);
  });

  it('accepts one-hot targets, batches and a limit', () => {
    const labels = fromArray([1, 2, 2, 1], [4], 'int32');
    const all = listMisclassified(identity, scores, labels);
    expect(all.map((w) => w.index)).toEqual([0, 1, 3]);
    expect(listMisclassified(identity, scores, oneHot(labels, 3, 'float64'), { batchSize: 3 })).toEqual(all);
    expect(listMisclassified(identity, scores, labels, { limit: 2, batchSize: 1 })).toEqual(all.slice(0, 2));
    expect(listMisclassified(identity, scores, fromArray([0, 1, 2, 0], [4], 'int32'))).toEqual([]);
  });

  it('checks that targets match the samples', () => {
    expect(() => listMisclassified(identity, scores, fromArray([0], [1], 'int32'))).toThrow(
      /1 targets for 4 samples/,
    );
  });
});
