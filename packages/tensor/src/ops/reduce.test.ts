import { describe, expect, it } from 'vitest';
import { arange, tensor, zeros } from '../create.js';
import { randn } from '../random.js';
import { Rng } from '../rng.js';
import { argmax, argmin, max, mean, min, sum, variance } from './reduce.js';

describe('reductions', () => {
  const x = arange(24, undefined, 1, 'float64').reshape(2, 3, 4);

  it('sum over all, one and several axes, with keepdims', () => {
    expect(sum(x).item()).toBe(276);
    expect(sum(x).shape).toEqual([]);
    expect(sum(x, { keepdims: true }).shape).toEqual([1, 1, 1]);
    expect(sum(x, { axis: 0 }).toArray()).toEqual([
      [12, 14, 16, 18],
      [20, 22, 24, 26],
      [28, 30, 32, 34],
    ]);
    expect(sum(x, { axis: -1 }).toArray()).toEqual([
      [6, 22, 38],
      [54, 70, 86],
    ]);
    expect(sum(x, { axis: [0, 2] }).toArray()).toEqual([60, 92, 124]);
    expect(sum(x, { axis: [0, 2], keepdims: true }).shape).toEqual([1, 3, 1]);
    expect(x.sum(1, true).shape).toEqual([2, 1, 4]);
  });

  it('matches a naive loop on random data', () => {
    const r = randn([5, 7, 3], new Rng(2), { dtype: 'float64' });
    const s = sum(r, { axis: 1 });
    for (let i = 0; i < 5; i++)
      for (let k = 0; k < 3; k++) {
        let acc = 0;
        for (let j = 0; j < 7; j++) acc += r.get(i, j, k);
        expect(s.get(i, k)).toBeCloseTo(acc, 12);
      }
  });

  it('mean, max, min and variance', () => {
    expect(mean(x, { axis: 2 }).toArray()).toEqual([
      [1.5, 5.5, 9.5],
      [13.5, 17.5, 21.5],
    ]);
    expect(max(x, { axis: 1 }).toArray()).toEqual([
      [8, 9, 10, 11],
      [20, 21, 22, 23],
    ]);
    expect(min(x).item()).toBe(0);
    expect(variance(tensor([1, 2, 3, 4], 'float64')).item()).toBe(1.25);
    expect(variance(tensor([1, 2, 3, 4], 'float64'), { ddof: 1 }).item()).toBeCloseTo(5 / 3, 15);
    expect(variance(x, { axis: 0 }).toArray()).toEqual([
      [36, 36, 36, 36],
      [36, 36, 36, 36],
      [36, 36, 36, 36],
    ]);
  });

  it('accumulates float32 sums in double precision', () => {
    const big = zeros([1_000_000]).fill(0.1);
    expect(sum(big).item()).toBeCloseTo(100_000, 0);
  });

  it('argmax/argmin pick the first of ties and handle axes', () => {
    const s = tensor([
      [0.1, 0.8, 0.1],
      [0.3, 0.1, 0.6],
      [0.5, 0.5, 0.0],
    ]);
    expect(Array.from(argmax(s, { axis: 1 }).data)).toEqual([1, 2, 0]);
    expect(Array.from(argmin(s, { axis: 0 }).data)).toEqual([0, 1, 2]);
    expect(argmax(s).item()).toBe(1);
    expect(argmax(s).dtype).toBe('int32');
    expect(argmax(s, { axis: 1, keepdims: true }).shape).toEqual([3, 1]);
    expect(s.argmax(1).shape).toEqual([3]);
  });

  it('handles empty tensors the NumPy way', () => {
    expect(sum(zeros([0, 3]), { axis: 0 }).toArray()).toEqual([0, 0, 0]);
    expect(sum(zeros([0])).item()).toBe(0);
    expect(Number.isNaN(mean(zeros([0])).item())).toBe(true);
    expect(() => max(zeros([0, 3]), { axis: 0 })).toThrow(/empty axis/);
    expect(() => argmax(zeros([0]))).toThrow(/empty/);
  });

  it('propagates NaN through max and argmax', () => {
    const t = tensor([1, Number.NaN, 3]);
    expect(max(t).item()).toBeNaN();
    expect(argmax(t).item()).toBe(1);
  });

  it('rejects bad axes, naming the op', () => {
    expect(() => sum(x, { axis: 3 })).toThrow('sum: axis 3 is out of range for a tensor of rank 3');
    expect(() => sum(x, { axis: [1, -2] })).toThrow(/repeated axis/);
  });
});
