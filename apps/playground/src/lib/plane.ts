import { axes, MARGIN } from './chart.js';
import { svg } from './dom.js';
import { linearScale, type LinearScale } from './scale.js';

/**
 * A 2-D coordinate plane in SVG (the book's x0/x1 plots): fixed axes and a content layer that pages
 * redraw. `x`/`y` map math coordinates to SVG units; `toMath` maps a pointer event back.
 */
export interface Plane {
  readonly element: SVGSVGElement;
  readonly x: LinearScale;
  readonly y: LinearScale;
  /** Cleared and redrawn by the page; drawn above the axes. */
  readonly content: SVGGElement;
  /** The math coordinates under a pointer event. */
  toMath(event: MouseEvent): [number, number];
}

export interface PlaneOptions {
  xDomain: readonly [number, number];
  yDomain: readonly [number, number];
  title: string;
  width?: number;
  height?: number;
  xLabel?: string;
  yLabel?: string;
  testid?: string;
}

export function createPlane(options: PlaneOptions): Plane {
  const { width = 400, height = 360, title } = options;
  const x = linearScale(options.xDomain, [MARGIN.left, width - MARGIN.right]);
  const y = linearScale(options.yDomain, [height - MARGIN.bottom, MARGIN.top]);
  const element = svg('svg', {
    viewBox: `0 0 ${width} ${height}`,
    class: 'plane',
    role: 'img',
    'aria-label': title,
    ...(options.testid !== undefined ? { 'data-testid': options.testid } : {}),
  });
  const clipId = `clip-${Math.random().toString(36).slice(2)}`;
  const clip = svg(
    'clipPath',
    { id: clipId },
    svg('rect', {
      x: MARGIN.left,
      y: MARGIN.top,
      width: width - MARGIN.left - MARGIN.right,
      height: height - MARGIN.top - MARGIN.bottom,
    }),
  );
  const content = svg('g', { 'clip-path': `url(#${clipId})` });
  element.append(
    svg('title', {}, title),
    svg('defs', {}, clip),
    axes(x, y, { xLabel: options.xLabel, yLabel: options.yLabel }),
    content,
  );
  return {
    element,
    x,
    y,
    content,
    toMath(event: MouseEvent): [number, number] {
      const rect = element.getBoundingClientRect();
      const px = ((event.clientX - rect.left) / rect.width) * width;
      const py = ((event.clientY - rect.top) / rect.height) * height;
      return [x.invert(px), y.invert(py)];
    },
  };
}

/** An arrowhead marker definition for quiver plots; returns the marker's url reference. */
export function arrowMarker(plane: Plane, id: string, color: string): string {
  const marker = svg(
    'marker',
    {
      id,
      viewBox: '0 0 10 10',
      refX: 9,
      refY: 5,
      markerWidth: 5,
      markerHeight: 5,
      orient: 'auto-start-reverse',
    },
    svg('path', { d: 'M0,0 L10,5 L0,10 z', fill: color }),
  );
  plane.element.querySelector('defs')!.append(marker);
  return `url(#${id})`;
}
