import { numericalGradient } from '@dl/gradcheck';
import { fromArray, type Tensor } from '@dl/tensor';
import { gridPoints } from '../../lib/descent.js';
import { svg } from '../../lib/dom.js';
import { arrowMarker, createPlane, type Plane } from '../../lib/plane.js';

// The gradient-descent page's plane: the field of −∇f, and the path the descent takes on it.

export type Point = [number, number];

export interface DescentPlane {
  readonly plane: Plane;
  /** Draws the path through `points` (dots joined by a line) and rings the start. */
  readonly showPath: (points: readonly Point[], start: Point) => void;
}

/** Concentric circles of f's level sets and the negative gradient at grid points (the book's figure 4-9). */
function drawField(plane: Plane, f: (x: Tensor<'float64'>) => number, range: number): SVGGElement {
  const arrow = arrowMarker(plane, 'field-arrow', '#9aa6b6');
  const field = svg('g', {});
  for (const r of [1, 2, 3, 4]) {
    field.append(
      svg('circle', {
        cx: plane.x(0),
        cy: plane.y(0),
        r: plane.x(r) - plane.x(0),
        fill: 'none',
        stroke: '#e3e7ed',
      }),
    );
  }
  for (const [a, b] of gridPoints(-range, range, 12)) {
    // The gradient computed numerically, as in the book.
    const g = numericalGradient(f, fromArray([a, b], [2], 'float64'));
    // Arrow length grows with the gradient, like matplotlib's quiver, capped to stay inside a cell.
    const len =
      Math.min(0.32, 0.06 * Math.hypot(g.data[0]!, g.data[1]!)) / Math.hypot(g.data[0]!, g.data[1]!);
    field.append(
      svg('line', {
        x1: plane.x(a),
        y1: plane.y(b),
        x2: plane.x(a - g.data[0]! * len),
        y2: plane.y(b - g.data[1]! * len),
        stroke: '#9aa6b6',
        'stroke-width': 1.2,
        'marker-end': arrow,
      }),
    );
  }
  return field;
}

/** The plane of `f` over [−range, range]², with its gradient field. */
export function createDescentPlane(f: (x: Tensor<'float64'>) => number, range: number): DescentPlane {
  const plane = createPlane({
    xDomain: [-range, range],
    yDomain: [-range, range],
    title: 'Gradient descent on f(x0, x1) = x0² + x1²; click to choose the start',
    xLabel: 'x0',
    yLabel: 'x1',
    width: 440,
    height: 420,
    testid: 'descent-plane',
  });
  plane.element.classList.add('interactive');
  const path = svg('g', {});
  plane.content.append(drawField(plane, f, range), path);

  function showPath(points: readonly Point[], [sx, sy]: Point): void {
    const visible = points.filter(
      ([a, b]) => Number.isFinite(a) && Number.isFinite(b) && Math.abs(a) < 1e6 && Math.abs(b) < 1e6,
    );
    path.replaceChildren(
      svg('polyline', {
        points: visible.map(([a, b]) => `${plane.x(a)},${plane.y(b)}`).join(' '),
        fill: 'none',
        stroke: 'var(--series-2)',
        'stroke-width': 1.5,
      }),
      ...visible.map(([a, b]) =>
        svg('circle', { cx: plane.x(a), cy: plane.y(b), r: 2.6, fill: 'var(--series-2)' }),
      ),
      svg('circle', {
        cx: plane.x(sx),
        cy: plane.y(sy),
        r: 6,
        fill: 'none',
        stroke: 'var(--fg)',
        'stroke-width': 2,
      }),
    );
  }
  return { plane, showPath };
}
