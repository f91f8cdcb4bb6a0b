import { describe, expect, it } from 'vitest';
import { Rng, arange, choice, fromArray, permutation, take } from '@dl/tensor';
import { BatchSampler } from './batch-sampler.js';
import { gatherRows, rowsBuffer, rowsView, shuffleDataset, splitValidation } from './dataset.js';

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

  it('gatherRows equals take, into a reused buffer', () => {
    const { x } = tagged(6);
    const out = rowsBuffer(x, 3);
    const idx = Int32Array.from([5, 0, 5]);
    expect(gatherRows(x, idx, out)).toBe(out);
    expect(Array.from(out.data)).toEqual(Array.from(take(x, idx).data));
    expect(() => gatherRows(x, Int32Array.from([6, 0, 0]), out)).toThrow(
      /index 6 is out of bounds for 6 rows/,
    );
    expect(() => gatherRows(x, Int32Array.from([1]), out)).toThrow(/does not hold 1 rows/);
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

describe('BatchSampler', () => {
  it("with replacement draws what the book's np.random.choice(train_size, batch_size) does", () => {
    const sampler = new BatchSampler('replacement', 50, 10, new Rng(1));
    const rng = new Rng(1);
    for (let k = 0; k < 3; k++)
      expect(Array.from(sampler.next())).toEqual(Array.from(choice(50, 10, rng).data));
  });

  it('with shuffle sees every sample once per pass, batches running across passes', () => {
    const sampler = new BatchSampler('shuffle', 10, 4, new Rng(2));
    const counts = new Array<number>(10).fill(0);
    for (let k = 0; k < 5; k++) for (const i of sampler.next()) counts[i]!++;
    expect(counts).toEqual(new Array<number>(10).fill(2));
  });

  it('restores its state and replays the same batches', () => {
    for (const sampling of ['replacement', 'shuffle'] as const) {
      const rng = new Rng(3);
      const a = new BatchSampler(sampling, 7, 3, rng);
      a.next();
      const state = JSON.parse(JSON.stringify(a.getState())) as ReturnType<typeof a.getState>;
      const rngState = rng.getState();
      const expected = [0, 1, 2].map(() => Array.from(a.next()));
      const rng2 = new Rng(0);
      rng2.setState(rngState);
      const b = new BatchSampler(sampling, 7, 3, rng2);
      b.setState(state);
      expect([0, 1, 2].map(() => Array.from(b.next()))).toEqual(expected);
    }
    expect(() => new BatchSampler('shuffle', 7, 3, new Rng(0)).setState({ sampling: 'replacement' })).toThrow(
      /the state is for 'replacement' sampling/,
    );
  });
});
