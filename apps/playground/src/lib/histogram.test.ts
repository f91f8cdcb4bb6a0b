import { describe, expect, it } from 'vitest';
import { histogram, meanStd } from './histogram.js';

describe('histogram', () => {
  it('counts like np.histogram: half-open bins, the last one closed', () => {
    const h = histogram([0, 0.1, 0.5, 0.99, 1, 1.5, -0.1, Number.NaN], 2, [0, 1]);
    expect(h.counts).toEqual([2, 3]);
    expect(h.outside).toBe(3);
    expect(h.edges).toEqual([0, 0.5, 1]);
  });

  it('rejects empty ranges and bad bin counts', () => {
    expect(() => histogram([1], 0, [0, 1])).toThrow(/bins/);
    expect(() => histogram([1], 3, [1, 1])).toThrow(/range/);
  });
});

describe('meanStd', () => {
  it('is the population mean and standard deviation', () => {
    expect(meanStd([1, 2, 3, 4])).toEqual({ mean: 2.5, std: Math.sqrt(1.25) });
    expect(Number.isNaN(meanStd([]).mean)).toBe(true);
  });
});
