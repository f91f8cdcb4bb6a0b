import { svg } from '../../lib/dom.js';
import { boundarySegment, firingRegion, type Box, type Point } from '../../lib/half-plane.js';
import type { Plane } from '../../lib/plane.js';

// The perceptron page's pictures: gates and decision lines on the unit square.

/** The four inputs of a two-input gate. */
const INPUTS: readonly (readonly [0 | 1, 0 | 1])[] = [
  [0, 0],
  [1, 0],
  [0, 1],
  [1, 1],
];

/** The unit square with a margin: the plane's domain and the clip box of the regions. */
export const BOX: Box = { x0: -0.5, x1: 1.5, y0: -0.5, y1: 1.5 };

/** The four inputs as dots, filled where the gate outputs 1, the active one ringed. */
export function drawPoints(
  plane: Plane,
  target: (x1: number, x2: number) => 0 | 1,
  active: readonly [number, number],
): void {
  for (const [x1, x2] of INPUTS) {
    const on = target(x1, x2) === 1;
    const isActive = x1 === active[0] && x2 === active[1];
    plane.content.append(
      svg('circle', {
        cx: plane.x(x1),
        cy: plane.y(x2),
        r: isActive ? 10 : 7,
        fill: on ? 'var(--fg)' : 'var(--panel)',
        stroke: isActive ? 'var(--focus)' : 'var(--fg)',
        'stroke-width': isActive ? 4 : 2,
      }),
      svg('text', { x: plane.x(x1) + 12, y: plane.y(x2) - 10 }, `(${x1},${x2})→${target(x1, x2)}`),
    );
  }
}

/** Shades a polygon of the plane (where a perceptron fires). */
export function shadeRegion(plane: Plane, region: readonly Point[], color: string): void {
  if (region.length < 3) return;
  plane.content.append(
    svg('polygon', {
      points: region.map(([a, c]) => `${plane.x(a)},${plane.y(c)}`).join(' '),
      fill: color,
      'fill-opacity': 0.15,
    }),
  );
}

/** A perceptron's decision line w1·x1 + w2·x2 + b = 0, and its firing side shaded when `shade`. */
export function drawPerceptron(
  plane: Plane,
  w1: number,
  w2: number,
  b: number,
  color: string,
  shade: boolean,
): void {
  if (shade) shadeRegion(plane, firingRegion(w1, w2, b, BOX), color);
  const seg = boundarySegment(w1, w2, b, BOX);
  if (seg) {
    const [[ax, ay], [bx, by]] = seg;
    plane.content.append(
      svg('line', {
        x1: plane.x(ax),
        y1: plane.y(ay),
        x2: plane.x(bx),
        y2: plane.y(by),
        stroke: color,
        'stroke-width': 2.5,
      }),
    );
  }
}
