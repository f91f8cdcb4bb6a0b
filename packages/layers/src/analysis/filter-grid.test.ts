import { describe, expect, it } from 'vitest';
import { fromArray, zeros } from '@dl/tensor';
import { filterGrid } from './filter-grid.js';

describe('filterGrid', () => {
  // Three 1-channel 2x2 filters.
  const W = fromArray([0, 1, 2, 3, -1, -1, -1, -1, 10, 0, 0, 5], [3, 1, 2, 2]);

  it('tiles the filters with padding, each stretched to 0..255 on its own', () => {
    const g = filterGrid(W, { columns: 2, padding: 1, background: 9 });
    expect([g.width, g.height]).toEqual([2 * 2 + 3, 2 * 2 + 3]);
    const row = (y: number): number[] => [...g.pixels.subarray(y * g.width, (y + 1) * g.width)];
    expect(row(0)).toEqual([9, 9, 9, 9, 9, 9, 9]);
    expect(row(1)).toEqual([9, 0, 85, 9, 128, 128, 9]); // filter 0 (0..3); filter 1 is constant: mid-gray
    expect(row(2)).toEqual([9, 170, 255, 9, 128, 128, 9]);
    expect(row(3)).toEqual([9, 9, 9, 9, 9, 9, 9]);
    expect(row(4)).toEqual([9, 255, 0, 9, 9, 9, 9]); // filter 2 (0..10), an empty slot after it
    expect(row(5)).toEqual([9, 0, 128, 9, 9, 9, 9]);
  });

  it('shares one range, inverts and zooms on request', () => {
    const g = filterGrid(W, { columns: 3, padding: 0, scale: 'shared', invert: true, zoom: 2 });
    expect([g.width, g.height]).toEqual([12, 4]);
    // Shared range -1..10: filter 1 (all -1) is the minimum, white when inverted.
    expect(g.pixels[4]).toBe(255);
    expect(g.pixels[8]).toBe(0); // filter 2's 10, the maximum
    expect([...g.pixels.subarray(0, 4)]).toEqual([232, 232, 209, 209]); // 0 and 1, each zoomed 2x
  });

  it('shows one channel of multi-channel filters', () => {
    const multi = fromArray([0, 0, 0, 0, 1, 2, 3, 4], [1, 2, 2, 2]);
    expect([...filterGrid(multi, { channel: 1, padding: 0 }).pixels]).toEqual([0, 85, 170, 255]);
    expect(() => filterGrid(multi, { channel: 2 })).toThrow(/channel 2 is not in \[0, 2\)/);
    expect(() => filterGrid(zeros([2, 3]))).toThrow(/W must be \[FN, C, FH, FW\]/);
    expect(() => filterGrid(multi, { zoom: 0 })).toThrow(/zoom must be an integer >= 1/);
  });
});
