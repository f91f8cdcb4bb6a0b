import { describe, expect, it } from 'vitest';
import { downsample, extent, linePath, linearScale, niceDomain, niceTicks } from './scale.js';

describe('linearScale', () => {
  it('maps the domain onto the range and back, flipped ranges included', () => {
    const y = linearScale([0, 10], [200, 0]);
    expect(y(0)).toBe(200);
    expect(y(10)).toBe(0);
    expect(y(2.5)).toBe(150);
    expect(y.invert(150)).toBe(2.5);
  });

  it('puts everything in the middle for a zero-width domain', () => {
    expect(linearScale([3, 3], [0, 100])(3)).toBe(50);
  });
});

describe('niceTicks', () => {
  it('picks steps of 1, 2 or 5 times a power of ten', () => {
    expect(niceTicks(0, 10, 5)).toEqual([0, 2, 4, 6, 8, 10]);
    expect(niceTicks(-5, 5, 5)).toEqual([-4, -2, 0, 2, 4]);
    expect(niceTicks(0, 1, 5)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(0.1, 0.35, 5)).toEqual([0.1, 0.15, 0.2, 0.25, 0.3, 0.35]);
  });

  it('has no floating-point drift in its labels', () => {
    for (const t of niceTicks(-1.2, 2.2, 8)) expect(String(t).length).toBeLessThan(6);
  });

  it('handles reversed, equal and non-finite bounds', () => {
    expect(niceTicks(10, 0, 5)).toEqual([0, 2, 4, 6, 8, 10]);
    expect(niceTicks(3, 3)).toEqual([3]);
    expect(niceTicks(Number.NaN, 1)).toEqual([]);
  });
});

describe('niceDomain', () => {
  it('widens a domain to the ticks around it', () => {
    expect(niceDomain([0.13, 2.31])).toEqual([0, 2.5]);
    expect(niceDomain([0, 10])).toEqual([0, 10]);
    expect(niceDomain([-0.7, 0.9])).toEqual([-1, 1]);
  });

  it('leaves degenerate domains alone', () => {
    expect(niceDomain([1, 1])).toEqual([1, 1]);
  });
});

describe('extent', () => {
  it('ignores non-finite values and pads', () => {
    expect(extent([1, Number.NaN, 3, Infinity], 0)).toEqual([1, 3]);
    expect(extent([0, 10], 0.1)).toEqual([-1, 11]);
  });

  it('widens a flat series and defaults an empty one', () => {
    expect(extent([2, 2])).toEqual([1, 3]);
    expect(extent([])).toEqual([0, 1]);
  });
});

describe('linePath', () => {
  it('draws through the points and breaks the line at non-finite values', () => {
    const id = (v: number): number => v;
    expect(linePath([0, 1, 2, 3, 4], [0, 1, Number.NaN, 3, 4], id, id)).toBe('M0,0L1,1M3,3L4,4');
  });
});

describe('downsample', () => {
  it('keeps short series as they are', () => {
    expect(downsample([3, 1, 2], 10)).toEqual({ xs: [0, 1, 2], ys: [3, 1, 2] });
  });

  it('averages buckets of a long series, centred on the bucket', () => {
    const ys = Array.from({ length: 1000 }, (_, i) => i);
    const d = downsample(ys, 10);
    expect(d.xs).toHaveLength(10);
    expect(d.ys[0]).toBe(49.5);
    expect(d.xs[0]).toBe(49.5);
    expect(d.ys[9]).toBe(949.5);
  });
});
