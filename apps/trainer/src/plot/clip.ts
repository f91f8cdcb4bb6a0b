import type { Rect } from './style.js';

/** The parts of the segment a→b inside `r` (Liang–Barsky), or null. */
function clipSegment(
  ax: number,
  ay: number,
  bx: number,
  by: number,
  r: Rect,
): [number, number, number, number] | null {
  let t0 = 0;
  let t1 = 1;
  const dx = bx - ax;
  const dy = by - ay;
  const edges: [number, number][] = [
    [-dx, ax - r.x],
    [dx, r.x + r.w - ax],
    [-dy, ay - r.y],
    [dy, r.y + r.h - ay],
  ];
  for (const [p, q] of edges) {
    if (p === 0) {
      if (q < 0) return null;
    } else {
      const t = q / p;
      if (p < 0) t0 = Math.max(t0, t);
      else t1 = Math.min(t1, t);
      if (t0 > t1) return null;
    }
  }
  return [ax + t0 * dx, ay + t0 * dy, ax + t1 * dx, ay + t1 * dy];
}

/** Polylines of the finite points, cut where values are missing or leave the plot area. */
export function clippedRuns(points: readonly (readonly [number, number])[], r: Rect): [number, number][][] {
  const runs: [number, number][][] = [];
  let current: [number, number][] = [];
  const end = (): void => {
    if (current.length > 1) runs.push(current);
    current = [];
  };
  for (let i = 1; i < points.length; i++) {
    const [ax, ay] = points[i - 1]!;
    const [bx, by] = points[i]!;
    if (![ax, ay, bx, by].every(Number.isFinite)) {
      end();
      continue;
    }
    const c = clipSegment(ax, ay, bx, by, r);
    if (!c) {
      end();
      continue;
    }
    const last = current.at(-1);
    if (!last || Math.abs(last[0] - c[0]) > 1e-9 || Math.abs(last[1] - c[1]) > 1e-9) {
      end();
      current.push([c[0], c[1]]);
    }
    current.push([c[2], c[3]]);
  }
  end();
  return runs;
}
