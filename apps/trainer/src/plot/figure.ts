import type { Image8 } from '../image/png-encode.js';
import { textWidth, type Drawing, type DrawingItem } from './drawing.js';
import { formatTick, logTicks, niceTicks } from './ticks.js';

/** One data series of a chart. Non-finite values leave gaps. */
export interface Series {
  readonly name: string;
  readonly x: readonly number[];
  readonly y: readonly number[];
  /** `bars`: `x` holds left bin edges, each bar as wide as the bin (histograms). Default `line`. */
  readonly style?: 'line' | 'dashed' | 'dotted' | 'points' | 'line-points' | 'bars';
  /** `#rrggbb`; default: the palette, by series index. */
  readonly color?: string;
  readonly width?: number;
  /** Left out of the legend (contour lines, guides). */
  readonly hideInLegend?: boolean;
}

export interface Axis {
  readonly label?: string;
  readonly min?: number;
  readonly max?: number;
  readonly log?: boolean;
}

export interface ChartPanel {
  readonly kind?: 'chart';
  readonly title?: string;
  readonly x?: Axis;
  readonly y?: Axis;
  readonly series: readonly Series[];
  readonly legend?: 'top-right' | 'bottom-right' | 'top-left' | 'bottom-left' | 'none';
}

/** Small images in a grid (filters, digits), each with an optional caption. */
export interface ImageGridPanel {
  readonly kind: 'images';
  readonly title?: string;
  readonly columns: number;
  readonly images: readonly { readonly image: Image8; readonly caption?: string; readonly color?: string }[];
}

export type Panel = ChartPanel | ImageGridPanel;

export interface Figure {
  readonly title?: string;
  readonly panels: readonly Panel[];
  /** Panels per row (default: all in one row up to 3). */
  readonly columns?: number;
  readonly panelWidth?: number;
  readonly panelHeight?: number;
}

/** Matplotlib's tab10, so figures look like the book's. */
export const PALETTE = [
  '#1f77b4',
  '#ff7f0e',
  '#2ca02c',
  '#d62728',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#7f7f7f',
  '#bcbd22',
  '#17becf',
] as const;

const INK = '#222222';
const GRID = '#e6e6e6';
const FONT = 11;
const TITLE = 13;
const FIGURE_TITLE = 15;

/** The font size at which `text` fits in `width` (at most `size`). */
function fitSize(text: string, size: number, width: number): number {
  return Math.max(7, Math.min(size, width / (0.6 * [...text].length)));
}

interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

interface Scale {
  (v: number): number;
  ticks: number[];
  min: number;
  max: number;
}

function makeScale(values: number[], axis: Axis, from: number, to: number, isBars = false): Scale {
  const log = axis.log ?? false;
  const usable = values.filter((v) => Number.isFinite(v) && (!log || v > 0));
  let min = axis.min ?? (usable.length ? Math.min(...usable) : 0);
  let max = axis.max ?? (usable.length ? Math.max(...usable) : 1);
  if (isBars && !log && axis.min === undefined) min = Math.min(min, 0);
  if (!(max > min)) {
    const pad = log ? min : Math.abs(min) * 0.1 || 1;
    min = log ? min / 10 : min - pad;
    max = log ? max * 10 : max + pad;
  }
  const tf = log ? Math.log10 : (v: number): number => v;
  const a = tf(min);
  const b = tf(max);
  const scale = ((v: number) => from + ((tf(v) - a) / (b - a)) * (to - from)) as Scale;
  scale.ticks = log ? logTicks(min, max) : niceTicks(min, max);
  scale.min = min;
  scale.max = max;
  return scale;
}

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
function clippedRuns(points: readonly (readonly [number, number])[], r: Rect): [number, number][][] {
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

function dashOf(style: Series['style']): number[] | undefined {
  if (style === 'dashed') return [6, 4];
  if (style === 'dotted') return [1.5, 3];
  return undefined;
}

function chart(panel: ChartPanel, r: Rect, out: DrawingItem[]): void {
  const xLabel = panel.x?.label;
  const yLabel = panel.y?.label;
  if (panel.title) {
    out.push({
      kind: 'text',
      x: r.x + r.w / 2,
      y: r.y + TITLE + 2,
      text: panel.title,
      size: fitSize(panel.title, TITLE, r.w - 16),
      anchor: 'middle',
      color: INK,
    });
  }
  const all = panel.series;
  const xs = all.flatMap((s) =>
    s.style === 'bars' && s.x.length > 1 ? [...s.x, s.x.at(-1)! + (s.x.at(-1)! - s.x.at(-2)!)] : [...s.x],
  );
  const ys = all.flatMap((s) => [...s.y]);
  const hasBars = all.some((s) => s.style === 'bars');
  // Room for the y tick labels: the widest of them.
  const provisional = makeScale(ys, panel.y ?? {}, 0, 1, hasBars);
  const yTickWidth = Math.max(...provisional.ticks.map((t) => textWidth(formatTick(t), FONT)));
  const top = r.y + (panel.title ? TITLE + 12 : 8);
  const left = r.x + 10 + (yLabel ? FONT + 8 : 0) + yTickWidth + 6;
  const bottom = r.y + r.h - (xLabel ? FONT * 2 + 14 : FONT + 12);
  const right = r.x + r.w - 22;
  const plot: Rect = { x: left, y: top, w: Math.max(10, right - left), h: Math.max(10, bottom - top) };
  const sx = makeScale(xs, panel.x ?? {}, plot.x, plot.x + plot.w);
  const sy = makeScale(ys, panel.y ?? {}, plot.y + plot.h, plot.y, hasBars);

  for (const t of sx.ticks) {
    const x = sx(t);
    out.push({
      kind: 'polyline',
      points: [
        [x, plot.y],
        [x, plot.y + plot.h],
      ],
      color: GRID,
      width: 1,
    });
    out.push({
      kind: 'text',
      x,
      y: plot.y + plot.h + FONT + 4,
      text: formatTick(t),
      size: FONT,
      anchor: 'middle',
      color: INK,
    });
  }
  for (const t of sy.ticks) {
    const y = sy(t);
    out.push({
      kind: 'polyline',
      points: [
        [plot.x, y],
        [plot.x + plot.w, y],
      ],
      color: GRID,
      width: 1,
    });
    out.push({
      kind: 'text',
      x: plot.x - 5,
      y: y + FONT * 0.35,
      text: formatTick(t),
      size: FONT,
      anchor: 'end',
      color: INK,
    });
  }
  if (xLabel) {
    out.push({
      kind: 'text',
      x: plot.x + plot.w / 2,
      y: r.y + r.h - 6,
      text: xLabel,
      size: FONT,
      anchor: 'middle',
      color: INK,
    });
  }
  if (yLabel) {
    out.push({
      kind: 'text',
      x: r.x + 8 + FONT,
      y: plot.y + plot.h / 2,
      text: yLabel,
      size: FONT,
      anchor: 'middle',
      color: INK,
      vertical: true,
    });
  }

  all.forEach((s, i) => {
    const color = s.color ?? PALETTE[i % PALETTE.length]!;
    const style = s.style ?? 'line';
    const n = Math.min(s.x.length, s.y.length);
    if (style === 'bars') {
      const base = sy(Math.max(sy.min, panel.y?.log ? sy.min : 0));
      for (let k = 0; k < n; k++) {
        const x0 = sx(s.x[k]!);
        const x1 = sx(k + 1 < s.x.length ? s.x[k + 1]! : s.x[k]! + (s.x[k]! - (s.x[k - 1] ?? s.x[k]! - 1)));
        const y = Math.max(plot.y, Math.min(plot.y + plot.h, sy(s.y[k]!)));
        if (!Number.isFinite(y) || y >= base) continue;
        out.push({ kind: 'rect', x: x0, y, w: Math.max(0.5, x1 - x0 - 0.5), h: base - y, fill: color });
      }
      return;
    }
    const pts: [number, number][] = [];
    for (let k = 0; k < n; k++) {
      const x = s.x[k]!;
      const y = s.y[k]!;
      const bad =
        !Number.isFinite(x) || !Number.isFinite(y) || (panel.y?.log && y <= 0) || (panel.x?.log && x <= 0);
      pts.push(bad ? [Number.NaN, Number.NaN] : [sx(x), sy(y)]);
    }
    if (style !== 'points') {
      const dash = dashOf(style);
      for (const run of clippedRuns(pts, plot)) {
        out.push({ kind: 'polyline', points: run, color, width: s.width ?? 1.6, ...(dash ? { dash } : {}) });
      }
    }
    if (style === 'points' || style === 'line-points') {
      for (const [x, y] of pts) {
        if (x >= plot.x && x <= plot.x + plot.w && y >= plot.y && y <= plot.y + plot.h) {
          out.push({ kind: 'circle', cx: x, cy: y, r: 2.5, fill: color });
        }
      }
    }
  });
  out.push({ kind: 'rect', ...plot, stroke: '#888888', strokeWidth: 1 });
  legend(panel, plot, out);
}

function legend(panel: ChartPanel, plot: Rect, out: DrawingItem[]): void {
  const where = panel.legend ?? 'top-right';
  const entries = panel.series
    .map((s, i) => ({ s, color: s.color ?? PALETTE[i % PALETTE.length]! }))
    .filter(({ s }) => !s.hideInLegend);
  if (where === 'none' || entries.length === 0) return;
  const line = FONT + 5;
  const w = Math.max(...entries.map(({ s }) => textWidth(s.name, FONT))) + 36;
  const h = entries.length * line + 8;
  const x = where.endsWith('right') ? plot.x + plot.w - w - 6 : plot.x + 6;
  const y = where.startsWith('top') ? plot.y + 6 : plot.y + plot.h - h - 6;
  out.push({ kind: 'rect', x, y, w, h, fill: '#ffffff', stroke: '#cccccc', strokeWidth: 1 });
  entries.forEach(({ s, color }, k) => {
    const cy = y + 4 + line * k + line / 2;
    const style = s.style ?? 'line';
    if (style === 'bars') out.push({ kind: 'rect', x: x + 6, y: cy - 4, w: 20, h: 8, fill: color });
    else if (style === 'points') out.push({ kind: 'circle', cx: x + 16, cy, r: 3, fill: color });
    else {
      const dash = dashOf(style);
      out.push({
        kind: 'polyline',
        points: [
          [x + 6, cy],
          [x + 26, cy],
        ],
        color,
        width: 2,
        ...(dash ? { dash } : {}),
      });
    }
    out.push({
      kind: 'text',
      x: x + 30,
      y: cy + FONT * 0.35,
      text: s.name,
      size: FONT,
      anchor: 'start',
      color: INK,
    });
  });
}

function imageGrid(panel: ImageGridPanel, r: Rect, out: DrawingItem[]): void {
  if (panel.title) {
    out.push({
      kind: 'text',
      x: r.x + r.w / 2,
      y: r.y + TITLE + 2,
      text: panel.title,
      size: fitSize(panel.title, TITLE, r.w - 16),
      anchor: 'middle',
      color: INK,
    });
  }
  const top = r.y + (panel.title ? TITLE + 12 : 6);
  const captioned = panel.images.some((i) => i.caption);
  const cols = Math.max(1, panel.columns);
  const rows = Math.max(1, Math.ceil(panel.images.length / cols));
  const cellW = (r.w - 12) / cols;
  const cellH = (r.y + r.h - top - 4) / rows;
  const boxW = Math.max(4, cellW - 4);
  const boxH = Math.max(4, cellH - 4 - (captioned ? FONT + 3 : 0));
  panel.images.forEach(({ image, caption, color }, k) => {
    const cx = r.x + 6 + (k % cols) * cellW + cellW / 2;
    const y = top + Math.floor(k / cols) * cellH;
    // As large as the cell allows, keeping the image's aspect ratio (square images fill a square).
    const fit = Math.min(boxW / image.width, boxH / image.height);
    const w = Math.max(4, image.width * fit);
    const h = Math.max(4, image.height * fit);
    out.push({ kind: 'image', x: cx - w / 2, y, w, h, image });
    if (caption) {
      out.push({
        kind: 'text',
        x: cx,
        y: y + h + FONT + 1,
        text: caption,
        size: FONT,
        anchor: 'middle',
        color: color ?? INK,
      });
    }
  });
}

/** Lays out a figure: a grid of panels under an optional title. */
export function layoutFigure(figure: Figure): Drawing {
  const panels = figure.panels;
  const columns = Math.max(1, figure.columns ?? Math.min(3, panels.length));
  const rows = Math.max(1, Math.ceil(panels.length / columns));
  const pw = figure.panelWidth ?? (columns === 1 ? 640 : 400);
  const ph = figure.panelHeight ?? (columns === 1 ? 420 : 300);
  const head = figure.title ? FIGURE_TITLE + 16 : 0;
  const width = columns * pw;
  const height = head + rows * ph;
  const items: DrawingItem[] = [];
  if (figure.title) {
    items.push({
      kind: 'text',
      x: width / 2,
      y: FIGURE_TITLE + 6,
      text: figure.title,
      size: fitSize(figure.title, FIGURE_TITLE, width - 16),
      anchor: 'middle',
      color: INK,
    });
  }
  panels.forEach((panel, k) => {
    const rect: Rect = { x: (k % columns) * pw, y: head + Math.floor(k / columns) * ph, w: pw, h: ph };
    if (panel.kind === 'images') imageGrid(panel, rect, items);
    else chart(panel, rect, items);
  });
  return { width, height, items };
}
