import { svg } from './dom.js';
import { extent, linePath, linearScale, niceDomain, niceTicks, type LinearScale } from './scale.js';

/** SVG charts: a line chart with axes and a legend, and a bar chart. Sizes are in viewBox units. */

export interface Series {
  label: string;
  xs: readonly number[];
  ys: readonly number[];
  /** A CSS colour or `var(--series-1)`. */
  color: string;
  dashed?: boolean;
}

export interface LineChartOptions {
  width?: number;
  height?: number;
  /** Fixed axis ranges; computed from the data when absent. */
  xDomain?: readonly [number, number];
  yDomain?: readonly [number, number];
  xLabel?: string;
  yLabel?: string;
  /** Accessible name of the chart. */
  title: string;
  /** Where the legend goes (default top right); put it where the lines are not. */
  legend?: 'top-right' | 'bottom-right';
  /** Only whole-number ticks on x. */
  integerX?: boolean;
}

export const MARGIN = { top: 12, right: 20, bottom: 34, left: 48 } as const;

/** Axes with tick labels for the given scales, as one `<g>`. */
export function axes(
  x: LinearScale,
  y: LinearScale,
  options: {
    xLabel?: string | undefined;
    yLabel?: string | undefined;
    xTicks?: number;
    yTicks?: number;
    /** Only whole-number ticks on x (epochs, steps). */
    integerX?: boolean | undefined;
  } = {},
): SVGGElement {
  const g = svg('g', { class: 'axes' });
  const [x0, x1] = x.range;
  const [y0, y1] = y.range;
  for (const t of niceTicks(y.domain[0], y.domain[1], options.yTicks ?? 5)) {
    const py = y(t);
    g.append(svg('line', { x1: x0, x2: x1, y1: py, y2: py, class: 'grid' }));
    g.append(svg('text', { x: x0 - 6, y: py, class: 'tick y' }, formatTick(t)));
  }
  const xTicks = niceTicks(x.domain[0], x.domain[1], options.xTicks ?? 6);
  for (const t of options.integerX ? xTicks.filter(Number.isInteger) : xTicks) {
    const px = x(t);
    g.append(svg('line', { x1: px, x2: px, y1: y0, y2: y0 + 4, class: 'tick-mark' }));
    g.append(svg('text', { x: px, y: y0 + 16, class: 'tick x' }, formatTick(t)));
  }
  g.append(svg('line', { x1: x0, x2: x1, y1: y0, y2: y0, class: 'axis' }));
  g.append(svg('line', { x1: x0, x2: x0, y1: y0, y2: y1, class: 'axis' }));
  if (options.xLabel)
    g.append(svg('text', { x: (x0 + x1) / 2, y: y0 + 30, class: 'label x' }, options.xLabel));
  if (options.yLabel) {
    g.append(
      svg(
        'text',
        { x: 0, y: 0, class: 'label y', transform: `translate(12 ${(y0 + y1) / 2}) rotate(-90)` },
        options.yLabel,
      ),
    );
  }
  return g;
}

function formatTick(t: number): string {
  const a = Math.abs(t);
  if (a !== 0 && (a >= 1e5 || a < 1e-3)) return t.toExponential(0);
  return String(t);
}

/**
 * A line chart that can be redrawn with new data (training curves update several times a second).
 * Redrawing is cheap: the axes are rebuilt only when the domain changes (the y domain is widened to
 * round ticks, so it rarely does), and the lines are updated in place.
 */
export class LineChart {
  readonly element: SVGSVGElement;
  private readonly options: Required<Pick<LineChartOptions, 'width' | 'height'>> & LineChartOptions;
  private readonly axesLayer = svg('g');
  private readonly linesLayer = svg('g');
  private readonly legendLayer = svg('g', { class: 'legend' });
  private axesKey = '';
  private legendKey = '';

  constructor(options: LineChartOptions) {
    this.options = { width: 480, height: 260, ...options };
    const { width, height, title } = this.options;
    this.element = svg(
      'svg',
      { viewBox: `0 0 ${width} ${height}`, class: 'chart', role: 'img', 'aria-label': title },
      svg('title', {}, title),
      this.axesLayer,
      this.linesLayer,
      this.legendLayer,
    );
    this.update([]);
  }

  /** Redraws with these series; `xDomain` overrides the option and the data's extent for this call. */
  update(series: readonly Series[], domains: { xDomain?: readonly [number, number] } = {}): void {
    const { width, height } = this.options;
    const xDomain = domains.xDomain ?? this.options.xDomain ?? extent(series.flatMap((s) => s.xs));
    // Widened to round ticks, which gives the lines room without padding below 0 (a loss never is).
    const yDomain = this.options.yDomain ?? niceDomain(extent(series.flatMap((s) => s.ys)));
    const x = linearScale(xDomain, [MARGIN.left, width - MARGIN.right]);
    const y = linearScale(yDomain, [height - MARGIN.bottom, MARGIN.top]);
    const key = `${xDomain.join()}|${yDomain.join()}`;
    if (key !== this.axesKey) {
      this.axesKey = key;
      this.axesLayer.replaceChildren(
        axes(x, y, {
          xLabel: this.options.xLabel,
          yLabel: this.options.yLabel,
          integerX: this.options.integerX,
        }),
      );
    }
    const paths = this.linesLayer.children;
    while (paths.length > series.length) paths[paths.length - 1]!.remove();
    series.forEach((s, i) => {
      const path = paths[i] ?? this.linesLayer.appendChild(svg('path', { class: 'series' }));
      path.setAttribute('d', linePath(s.xs, s.ys, x, y));
      path.setAttribute('stroke', s.color);
      if (s.dashed) path.setAttribute('stroke-dasharray', '5 4');
      else path.removeAttribute('stroke-dasharray');
    });
    const legendKey = series.map((s) => `${s.label}:${s.color}`).join('|');
    if (legendKey !== this.legendKey) {
      this.legendKey = legendKey;
      this.legendLayer.replaceChildren();
      const top =
        this.options.legend === 'bottom-right'
          ? height - MARGIN.bottom - 10 - 16 * (series.length - 1)
          : MARGIN.top + 6;
      if (series.length > 1) {
        series.forEach((s, i) => {
          const ly = top + i * 16;
          const lx = width - MARGIN.right - 110;
          this.legendLayer.append(
            svg('line', { x1: lx, x2: lx + 18, y1: ly, y2: ly, stroke: s.color, 'stroke-width': 3 }),
            svg('text', { x: lx + 24, y: ly + 4 }, s.label),
          );
        });
      }
    }
  }
}

export interface Bar {
  label: string;
  value: number;
  highlight?: boolean;
}

/** Vertical bars with their values printed above: softmax outputs, class probabilities. */
export function barChart(
  bars: readonly Bar[],
  options: { width?: number; height?: number; max?: number; title: string; digits?: number },
): SVGSVGElement {
  const { width = 480, height = 200, title, digits = 2 } = options;
  const max = options.max ?? Math.max(...bars.map((b) => b.value), 1e-12);
  const root = svg('svg', {
    viewBox: `0 0 ${width} ${height}`,
    width,
    height,
    class: 'chart bars',
    role: 'img',
    'aria-label': title,
  });
  root.append(svg('title', {}, title));
  const top = 18;
  const bottom = height - 22;
  const slot = (width - 8) / Math.max(bars.length, 1);
  bars.forEach((b, i) => {
    const barHeight = Math.max(0, (b.value / max) * (bottom - top));
    const x = 4 + i * slot + slot * 0.15;
    const w = slot * 0.7;
    root.append(
      svg('rect', {
        x,
        y: bottom - barHeight,
        width: w,
        height: barHeight,
        class: b.highlight ? 'bar highlight' : 'bar',
      }),
      svg('text', { x: x + w / 2, y: bottom - barHeight - 4, class: 'bar-value' }, b.value.toFixed(digits)),
      svg('text', { x: x + w / 2, y: height - 6, class: 'bar-label' }, b.label),
    );
  });
  return root;
}
