import { describe, expect, it } from 'vitest';
import { Rng, arange, fromArray, permutation } from '@dl/tensor';
import { rowsView, shuffleDataset, splitValidation } from './dataset.js';

/** Rows `[i, 10 i]` with label `i`, so every row can be traced after shuffling. */
function tagged(n: number): {
  x: ReturnType<typeof fromArray<'float64'>>;
  t: ReturnType<typeof arange<'int32'>>;
} {
  const values: number[] = [];
  for (let i = 0; i < n; i++) values.push(i, 10 * i);
  return { x: fromArray(values, [n, 2], 'float64'), t: arange(0, n, 1, 'int32') };
}

describe('datasets: views, gathers, shuffles, validation split', () => {
  it('rowsView is a view like x[a:b], clamped like NumPy slicing', () => {
    const { x } = tagged(5);
    const v = rowsView(x, 1, 3);
    expect(v.shape).toEqual([2, 2]);
    expect(Array.from(v.data)).toEqual([1, 10, 2, 20]);
    v.data[0] = 99;
    expect(x.data[2]).toBe(99);
    expect(rowsView(x, 3, 100).shape).toEqual([2, 2]);
    expect(rowsView(x, 4, 2).shape).toEqual([0, 2]);
  });

  it("shuffleDataset keeps each x row with its label (the book's shuffle_dataset)", () => {
    const { x, t } = tagged(20);
    const s = shuffleDataset(x, t, new Rng(1));
    expect(Array.from(s.t.data)).toEqual(Array.from(permutation(20, new Rng(1)).data));
    for (let i = 0; i < 20; i++) expect(s.x.data[2 * i]).toBe(s.t.data[i]);
    expect(Array.from(x.data.slice(0, 4))).toEqual([0, 0, 1, 10]); // the input is not modified
  });

  it('splitValidation holds out floor(20%) after a seeded shuffle; the parts are disjoint and complete', () => {
    const { x, t } = tagged(53);
    const split = splitValidation(x, t, { rng: new Rng(4) });
    expect(split.xVal.shape).toEqual([10, 2]);
    expect(split.xTrain.shape).toEqual([43, 2]);
    const labels = [...Array.from(split.tVal.data), ...Array.from(split.tTrain.data)];
    expect([...labels].sort((a, b) => a - b)).toEqual(Array.from({ length: 53 }, (_, i) => i));
    for (let i = 0; i < 10; i++) expect(split.xVal.data[2 * i]).toBe(split.tVal.data[i]);
    const again = splitValidation(x, t, { rng: new Rng(4) });
    expect(Array.from(again.tVal.data)).toEqual(Array.from(split.tVal.data));
    expect(splitValidation(x, t, { rng: new Rng(4), rate: 0.5 }).xVal.shape[0]).toBe(26);
    expect(() => splitValidation(x, t, { rng: new Rng(0), rate: 1 })).toThrow(/rate must be in \(0, 1\)/);
    expect(() =>
      splitValidation(x, t.reshape(53, 1).reshape(53).clone(), { rng: new Rng(0), rate: 0.01 }),
    ).toThrow(/leave an empty training or validation set/);
    expect(() => shuffleDataset(x, arange(0, 3, 1, 'int32'), new Rng(0))).toThrow(/same number of rows/);
  });
});
