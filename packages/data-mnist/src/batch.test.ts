import { BatchSampler, Rng, ShapeError, Tensor, choice, randn } from '@dl/tensor';
import { describe, expect, it } from 'vitest';
import { DataLoader, batchesPerEpoch, epochBatches, sampleBatch, sampleIndices, takeBatch } from './batch.js';

/** A small data set whose rows say which example they are: row i of x is filled with i + 0.25 + noise. */
function dataSet(n: number, seed: number): { x: Tensor<'float32'>; t: Tensor<'int32'> } {
  const rng = new Rng(seed);
  const noise = randn([n, 3], rng, { std: 0.01 });
  const x = new Tensor(
    noise.data.map((v, k) => Math.floor(k / 3) + 0.25 + v),
    [n, 3],
    'float32',
  );
  const t = new Tensor(
    Int32Array.from({ length: n }, (_, i) => (i * 7) % 10),
    [n],
    'int32',
  );
  return { x, t };
}

describe('sampleBatch (the book: np.random.choice(train_size, batch_size), with replacement)', () => {
  const { x, t } = dataSet(50, 1);

  it('takes the rows of x and t at the sampled indices', () => {
    const batch = sampleBatch(x, t, 8, new Rng(42));
    expect(batch.x.shape).toEqual([8, 3]);
    expect(batch.t.shape).toEqual([8]);
    expect(batch.indices.length).toBe(8);
    batch.indices.forEach((row, j) => {
      expect(Array.from(batch.x.data.subarray(j * 3, j * 3 + 3))).toEqual(
        Array.from(x.data.subarray(row * 3, row * 3 + 3)),
      );
      expect(batch.t.data[j]).toBe(t.data[row]);
    });
  });

  it('is deterministic given the seed, and differs across seeds', () => {
    const a = sampleBatch(x, t, 20, new Rng(5)).indices;
    const b = sampleBatch(x, t, 20, new Rng(5)).indices;
    const c = sampleBatch(x, t, 20, new Rng(6)).indices;
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
  });

  it("draws what the Trainer's BatchSampler and np.random.choice draw from the same seed", () => {
    const [r1, r2, r3] = [new Rng(9), new Rng(9), new Rng(9)];
    const trainer = new BatchSampler('replacement', 50, 10, r2);
    for (let step = 0; step < 3; step++) {
      const indices = Array.from(sampleBatch(x, t, 10, r1).indices);
      expect(indices).toEqual(Array.from(trainer.next()));
      expect(indices).toEqual(Array.from(choice(50, 10, r3).data));
    }
  });

  it('draws with replacement: more indices than examples is fine and repeats', () => {
    const indices = sampleIndices(5, 40, new Rng(9));
    expect(indices.length).toBe(40);
    expect(indices.every((i) => i >= 0 && i < 5)).toBe(true);
    expect(new Set(indices).size).toBeLessThanOrEqual(5);
  });

  it('draws each index about equally often', () => {
    const counts = new Array<number>(10).fill(0);
    const rng = new Rng(11);
    for (let step = 0; step < 1000; step++) for (const i of sampleIndices(10, 10, rng)) counts[i]!++;
    for (const c of counts) expect(Math.abs(c - 1000)).toBeLessThan(150);
  });

  it('refuses mismatched x and t, and a bad batch size', () => {
    expect(() => sampleBatch(x, new Tensor(new Int32Array(49), [49]), 4, new Rng(1))).toThrow(ShapeError);
    expect(() => sampleBatch(x, t, 0, new Rng(1))).toThrow(/batchSize must be an integer >= 1, got 0/);
    expect(() => sampleBatch(x, t, 2.5, new Rng(1))).toThrow(RangeError);
  });
});

describe('epochBatches (a shuffled permutation per epoch)', () => {
  it('covers each index exactly once per epoch, in batches of batchSize and a last partial one', () => {
    const batches = [...epochBatches(103, 10, new Rng(3))];
    expect(batches.map((b) => b.length)).toEqual([10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 3]);
    const seen = batches.flatMap((b) => Array.from(b)).sort((a, b) => a - b);
    expect(seen).toEqual(Array.from({ length: 103 }, (_, i) => i));
  });

  it('dropLast drops the partial batch; batchesPerEpoch agrees', () => {
    const batches = [...epochBatches(103, 10, new Rng(3), { dropLast: true })];
    expect(batches.length).toBe(10);
    expect(batches.every((b) => b.length === 10)).toBe(true);
    expect(new Set(batches.flatMap((b) => Array.from(b))).size).toBe(100);
    expect(batchesPerEpoch(103, 10)).toBe(11);
    expect(batchesPerEpoch(103, 10, { dropLast: true })).toBe(10);
    expect(batchesPerEpoch(100, 10)).toBe(10);
    expect([...epochBatches(7, 10, new Rng(1), { dropLast: true })]).toEqual([]);
    expect([...epochBatches(7, 10, new Rng(1))].map((b) => b.length)).toEqual([7]);
  });

  it('is deterministic given the seed, shuffles, and draws a new order each epoch', () => {
    const order = (rng: Rng): number[] => [...epochBatches(40, 8, rng)].flatMap((b) => Array.from(b));
    const rng = new Rng(21);
    const first = order(rng);
    const second = order(rng);
    expect(first).toEqual(order(new Rng(21)));
    expect(first).not.toEqual(second);
    expect(first).not.toEqual(Array.from({ length: 40 }, (_, i) => i));
    expect([...second].sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i));
  });

  it('checks its arguments when called, not when iterated', () => {
    expect(() => epochBatches(10, 0, new Rng(1))).toThrow(RangeError);
    expect(() => epochBatches(-1, 4, new Rng(1))).toThrow(/n must be an integer >= 0/);
  });
});

describe('DataLoader', () => {
  const { x, t } = dataSet(23, 2);

  it('samples like sampleBatch with the same seed', () => {
    const sampler = new DataLoader(x, t, 6, new Rng(77));
    const a = sampler.sample();
    const b = sampleBatch(x, t, 6, new Rng(77));
    expect(Array.from(a.indices)).toEqual(Array.from(b.indices));
    expect(Array.from(a.x.data)).toEqual(Array.from(b.x.data));
    expect(sampler.size).toBe(23);
  });

  it('yields shaped batches covering the data set once per epoch', () => {
    const sampler = new DataLoader(x, t, 6, new Rng(8));
    const batches = [...sampler.epoch()];
    expect(batches.length).toBe(sampler.batchesPerEpoch());
    expect(batches.map((b) => b.x.shape)).toEqual([
      [6, 3],
      [6, 3],
      [6, 3],
      [5, 3],
    ]);
    const rows = batches.flatMap((b) =>
      Array.from({ length: b.t.size }, (_, j) => Math.floor(b.x.data[j * 3]!)),
    );
    expect(rows.sort((p, q) => p - q)).toEqual(Array.from({ length: 23 }, (_, i) => i));
    for (const b of batches) b.indices.forEach((row, j) => expect(b.t.data[j]).toBe(t.data[row]));
    expect([...sampler.epoch({ dropLast: true })].length).toBe(3);
  });

  it('takeBatch works on image tensors of any rank', () => {
    const images = randn([4, 1, 2, 2], new Rng(4));
    const labels = new Tensor(new Int32Array([3, 1, 4, 1]), [4]);
    const batch = takeBatch(images, labels, new Int32Array([2, 0]));
    expect(batch.x.shape).toEqual([2, 1, 2, 2]);
    expect(Array.from(batch.x.data.subarray(0, 4))).toEqual(Array.from(images.data.subarray(8, 12)));
    expect(Array.from(batch.t.data)).toEqual([4, 3]);
  });
});
