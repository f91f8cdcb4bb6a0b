import { describe, expect, it } from 'vitest';
import { centerOfMass } from './digit-image.js';
import { preprocessStrokes, rasterizeStrokes, strokeBounds, type Stroke } from './digit-strokes.js';

const sum = (a: ArrayLike<number>): number => Array.from(a).reduce((s, v) => s + v, 0);

/** Rows and columns that hold any ink. */
function inkBox(image: Float32Array, size = 28): { rows: number; cols: number } {
  let r0 = size;
  let r1 = -1;
  let c0 = size;
  let c1 = -1;
  for (let i = 0; i < size; i++)
    for (let j = 0; j < size; j++)
      if (image[i * size + j]! > 0) {
        r0 = Math.min(r0, i);
        r1 = Math.max(r1, i);
        c0 = Math.min(c0, j);
        c1 = Math.max(c1, j);
      }
  return { rows: r1 - r0 + 1, cols: c1 - c0 + 1 };
}

function ellipse(cx: number, cy: number, rx: number, ry: number): Stroke {
  return Array.from({ length: 41 }, (_, i) => {
    const a = (i / 40) * 2 * Math.PI;
    return [cx + rx * Math.sin(a), cy - ry * Math.cos(a)] as const;
  });
}

describe('rasterizeStrokes', () => {
  it('covers a horizontal bar of the pen width, anti-aliased at its ends', () => {
    const img = rasterizeStrokes(
      [
        [
          [4, 10],
          [24, 10],
        ],
      ],
      28,
      2,
      8,
    );
    // 20 px long, 2 px wide, plus two half-discs of radius 1.
    expect(sum(img)).toBeCloseTo(20 * 2 + Math.PI, 0);
    expect(img[9 * 28 + 14]).toBe(1);
    expect(img[10 * 28 + 14]).toBe(1);
    expect(img[11 * 28 + 14]).toBe(0);
    for (const v of img) expect(v).toBeLessThanOrEqual(1);
  });

  it('draws a single point as a dot', () => {
    const img = rasterizeStrokes([[[14, 14]]], 28, 2, 8);
    expect(sum(img)).toBeCloseTo(Math.PI, 0);
  });
});

describe('preprocessStrokes: a drawing to a 28×28 image as MNIST makes them', () => {
  it('returns null when nothing is drawn', () => {
    expect(preprocessStrokes([])).toBeNull();
    expect(strokeBounds([[]])).toBeNull();
  });

  it('fits the digit in the 20×20 box and puts its centre of mass at the centre', () => {
    const img = preprocessStrokes([ellipse(140, 140, 50, 90)])!;
    const box = inkBox(img);
    expect(box.rows).toBeGreaterThanOrEqual(19);
    expect(box.rows).toBeLessThanOrEqual(21);
    expect(box.cols).toBeLessThan(box.rows);
    const [cx, cy] = centerOfMass(img, 28)!;
    expect(cx).toBeCloseTo(14, 1);
    expect(cy).toBeCloseTo(14, 1);
    for (const v of img) {
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThanOrEqual(1);
    }
  });

  it('gives the same image whatever size and place the digit was drawn at', () => {
    const big = preprocessStrokes([ellipse(140, 140, 60, 100)])!;
    const small = preprocessStrokes([ellipse(40, 220, 12, 20)])!;
    for (let i = 0; i < big.length; i++) expect(small[i]).toBeCloseTo(big[i]!, 5);
  });

  it('keeps a tall thin 1 thin: the pen width does not scale with the drawing', () => {
    const img = preprocessStrokes([
      [
        [140, 20],
        [140, 260],
      ],
    ])!;
    const box = inkBox(img);
    expect(box.rows).toBeGreaterThanOrEqual(19);
    expect(box.cols).toBeLessThanOrEqual(4);
  });
});
