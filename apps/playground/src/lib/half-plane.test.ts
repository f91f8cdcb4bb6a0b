import { describe, expect, it } from 'vitest';
import { boundarySegment, clipPolygon, firingRegion, type Box, type Point } from './half-plane.js';

const UNIT: Box = { x0: 0, x1: 1, y0: 0, y1: 1 };

function area(poly: readonly Point[]): number {
  let a = 0;
  for (let i = 0; i < poly.length; i++) {
    const [x1, y1] = poly[i]!;
    const [x2, y2] = poly[(i + 1) % poly.length]!;
    a += x1 * y2 - x2 * y1;
  }
  return Math.abs(a) / 2;
}

describe('the decision boundary of a perceptron', () => {
  it('crosses the unit square where w·x + b = 0', () => {
    // x1 + x2 - 1 = 0 runs from (1, 0) to (0, 1).
    const seg = boundarySegment(1, 1, -1, UNIT)!;
    const sorted = [...seg].sort((a, b) => a[0] - b[0]);
    expect(sorted[0]![0]).toBeCloseTo(0);
    expect(sorted[0]![1]).toBeCloseTo(1);
    expect(sorted[1]![0]).toBeCloseTo(1);
    expect(sorted[1]![1]).toBeCloseTo(0);
  });

  it('handles vertical lines, misses and zero weights', () => {
    const seg = boundarySegment(1, 0, -0.5, UNIT)!;
    expect(seg.map((p) => p[0])).toEqual([0.5, 0.5]);
    expect(boundarySegment(1, 1, 5, UNIT)).toBeNull();
    expect(boundarySegment(0, 0, 1, UNIT)).toBeNull();
  });

  it('shades the side where the perceptron fires', () => {
    expect(area(firingRegion(1, 1, -1, UNIT))).toBeCloseTo(0.5);
    // AND's weights: only the corner where x1 + x2 > 1.4 fires, a triangle with legs 0.6.
    expect(area(firingRegion(0.5, 0.5, -0.7, UNIT))).toBeCloseTo(0.5 * 0.6 * 0.6);
    expect(firingRegion(1, 1, -5, UNIT)).toEqual([]);
    expect(area(firingRegion(1, 1, 5, UNIT))).toBeCloseTo(1);
  });

  it("intersects half-planes: XOR's band between the NAND and OR lines", () => {
    const nand = firingRegion(-0.5, -0.5, 0.7, UNIT);
    const band = clipPolygon(nand, 0.5, 0.5, -0.2);
    // x1 + x2 between 0.4 and 1.4 inside the unit square.
    expect(area(band)).toBeCloseTo(1 - 0.5 * 0.4 * 0.4 - 0.5 * 0.6 * 0.6);
  });
});
