import { describe, expect, it } from 'vitest';
import { grayPixels, minMax } from './gray-image.js';

describe('grayPixels', () => {
  it('maps lo to black and hi to white, opaque', () => {
    expect(Array.from(grayPixels([0, 0.5, 1], 0, 1))).toEqual([
      0, 0, 0, 255, 128, 128, 128, 255, 255, 255, 255, 255,
    ]);
  });

  it("inverts like matplotlib's gray_r and clamps values outside [lo, hi]", () => {
    expect(Array.from(grayPixels([-1, 2], 0, 1, true))).toEqual([255, 255, 255, 255, 0, 0, 0, 255]);
  });

  it('draws a flat map mid-grey', () => {
    expect(grayPixels([3, 3], 3, 3)[0]).toBe(128);
  });
});

describe('minMax', () => {
  it('ignores non-finite values', () => {
    expect(minMax([2, Number.NaN, -1, Infinity])).toEqual([-1, 2]);
    expect(minMax([])).toEqual([0, 0]);
  });
});
