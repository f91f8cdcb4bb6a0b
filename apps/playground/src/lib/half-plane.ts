/** Geometry of a perceptron's decision boundary `w1·x1 + w2·x2 + b = 0` inside a rectangle. */

export type Point = readonly [number, number];

export interface Box {
  readonly x0: number;
  readonly x1: number;
  readonly y0: number;
  readonly y1: number;
}

const EPS = 1e-12;

function value(w1: number, w2: number, b: number, p: Point): number {
  return w1 * p[0] + w2 * p[1] + b;
}

/**
 * The part of a convex polygon where `w1·x1 + w2·x2 + b > 0` (one step of Sutherland–Hodgman).
 * Clipping by several half-planes in turn intersects them: the region where two perceptrons both fire.
 */
export function clipPolygon(polygon: readonly Point[], w1: number, w2: number, b: number): Point[] {
  const out: Point[] = [];
  for (let i = 0; i < polygon.length; i++) {
    const p = polygon[i]!;
    const q = polygon[(i + 1) % polygon.length]!;
    const vp = value(w1, w2, b, p);
    const vq = value(w1, w2, b, q);
    if (vp > 0) out.push(p);
    if ((vp > 0 && vq <= 0) || (vp <= 0 && vq > 0)) {
      const t = vp / (vp - vq);
      out.push([p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1])]);
    }
  }
  return out;
}

/** The polygon of the box where the perceptron fires; empty when it never fires inside the box. */
export function firingRegion(w1: number, w2: number, b: number, box: Box): Point[] {
  return clipPolygon(boxCorners(box), w1, w2, b);
}

export function boxCorners(box: Box): Point[] {
  return [
    [box.x0, box.y0],
    [box.x1, box.y0],
    [box.x1, box.y1],
    [box.x0, box.y1],
  ];
}

/** The part of the line `w·x + b = 0` inside the box, or null when it misses the box (or w = 0). */
export function boundarySegment(w1: number, w2: number, b: number, box: Box): [Point, Point] | null {
  if (Math.abs(w1) < EPS && Math.abs(w2) < EPS) return null;
  const hits: Point[] = [];
  const add = (p: Point): void => {
    if (!hits.some((h) => Math.abs(h[0] - p[0]) < 1e-9 && Math.abs(h[1] - p[1]) < 1e-9)) hits.push(p);
  };
  if (Math.abs(w2) >= EPS) {
    for (const x of [box.x0, box.x1]) {
      const y = -(w1 * x + b) / w2;
      if (y >= box.y0 - 1e-9 && y <= box.y1 + 1e-9) add([x, y]);
    }
  }
  if (Math.abs(w1) >= EPS) {
    for (const y of [box.y0, box.y1]) {
      const x = -(w2 * y + b) / w1;
      if (x >= box.x0 - 1e-9 && x <= box.x1 + 1e-9) add([x, y]);
    }
  }
  return hits.length >= 2 ? [hits[0]!, hits[1]!] : null;
}
