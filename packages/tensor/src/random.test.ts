import { describe, expect, it } from 'vitest';
import { arange } from './create.js';
import { choice, permutation, randint, randn, shuffleRows, uniform } from './random.js';
import { mean, variance } from './ops/reduce.js';
import { Rng } from './rng.js';

describe('random tensors', () => {
  it('are deterministic for a seed', () => {
    expect(randn([5], new Rng(1)).toArray()).toEqual(randn([5], new Rng(1)).toArray());
    expect(randn([5], new Rng(1)).toArray()).not.toEqual(randn([5], new Rng(2)).toArray());
  });

  it('randn has the requested mean and std; uniform stays in range', () => {
    const r = randn([50_000], new Rng(3), { mean: 2, std: 0.5, dtype: 'float64' });
    expect(mean(r).item()).toBeCloseTo(2, 1);
    expect(Math.sqrt(variance(r).item())).toBeCloseTo(0.5, 1);
    const u = uniform([10_000], new Rng(4), { low: -1, high: 1 });
    expect(Math.min(...u.data)).toBeGreaterThanOrEqual(-1);
    expect(Math.max(...u.data)).toBeLessThan(1);
    const k = randint([1000], new Rng(5), 3, 6);
    expect(new Set(k.data)).toEqual(new Set([3, 4, 5]));
  });

  it('choice samples with and without replacement', () => {
    const withRep = choice(10, 1000, new Rng(6));
    expect(withRep.dtype).toBe('int32');
    expect(Math.max(...withRep.data)).toBe(9);
    expect(new Set(withRep.data).size).toBe(10);
    const without = choice(100, 50, new Rng(7), { replace: false });
    expect(new Set(without.data).size).toBe(50);
    expect(() => choice(3, 4, new Rng(1), { replace: false })).toThrow(/without replacement/);
    const p = permutation(20, new Rng(8));
    expect([...p.data].sort((a, b) => a - b)).toEqual([...arange(20, undefined, 1, 'int32').data]);
  });

  it('shuffles rows in place, keeping each row intact', () => {
    const x = arange(12, undefined, 1, 'float64').reshape(6, 2);
    shuffleRows(x, new Rng(9));
    const rows = x.toArray() as [number, number][];
    for (const [a, b] of rows) expect(b - a).toBe(1);
    expect(rows.map(([a]) => a).sort((p, q) => p - q)).toEqual([0, 2, 4, 6, 8, 10]);
  });
});
