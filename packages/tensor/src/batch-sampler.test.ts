import { describe, expect, it } from 'vitest';
import { BatchSampler, gatherRows, rowsBuffer } from './batch-sampler.js';
import { fromArray } from './create.js';
import { choice } from './random.js';
import { Rng } from './rng.js';
import { take } from './ops/manipulate.js';

/** Rows `[i, 10 i]`, so every row can be traced. */
function tagged(n: number): ReturnType<typeof fromArray<'float64'>> {
  const values: number[] = [];
  for (let i = 0; i < n; i++) values.push(i, 10 * i);
  return fromArray(values, [n, 2], 'float64');
}

describe('gatherRows', () => {
  it('gatherRows equals take, into a reused buffer', () => {
    const x = tagged(6);
    const out = rowsBuffer(x, 3);
    const idx = Int32Array.from([5, 0, 5]);
    expect(gatherRows(x, idx, out)).toBe(out);
    expect(Array.from(out.data)).toEqual(Array.from(take(x, idx).data));
    expect(() => gatherRows(x, Int32Array.from([6, 0, 0]), out)).toThrow(
      /index 6 is out of bounds for 6 rows/,
    );
    expect(() => gatherRows(x, Int32Array.from([1]), out)).toThrow(/does not hold 1 rows/);
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

describe('BatchSampler arguments', () => {
  it('names a bad size', () => {
    expect(() => new BatchSampler('replacement', 0, 3, new Rng(0))).toThrow(
      /BatchSampler: trainSize must be an integer >= 1, got 0/,
    );
    expect(() => new BatchSampler('shuffle', 5, 2.5, new Rng(0))).toThrow(
      /BatchSampler: batchSize must be an integer >= 1, got 2.5/,
    );
  });
});
