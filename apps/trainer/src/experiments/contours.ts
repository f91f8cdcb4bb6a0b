import type { Series } from '../plot/figure.js';

/**
 * Level sets of `x²/a² + y²/b² = c` (ellipses) as line series, to draw under an optimisation path the
 * way the book's contour plots do.
 */
export function ellipseContours(levels: readonly number[], a: number, b: number): Series[] {
  return levels.map((c) => {
    const n = 120;
    const x: number[] = [];
    const y: number[] = [];
    for (let k = 0; k <= n; k++) {
      const t = (2 * Math.PI * k) / n;
      x.push(a * Math.sqrt(c) * Math.cos(t));
      y.push(b * Math.sqrt(c) * Math.sin(t));
    }
    return { name: `f = ${c}`, x, y, color: '#c8c8c8', width: 1, hideInLegend: true };
  });
}
