import { textWidth, type DrawingItem, type TextItem } from './drawing.js';
import type { ChartPanel, Series } from './figure.js';
import { clippedRuns } from './clip.js';
import { makeScale, type Scale } from './scale.js';
import { FONT, GRID, INK, PALETTE, type Rect } from './style.js';
import { formatTick } from './ticks.js';
import { panelTitle } from './title.js';

function dashOf(style: Series['style']): number[] | undefined {
  if (style === 'dashed') return [6, 4];
  if (style === 'dotted') return [1.5, 3];
  return undefined;
}

function colorOf(s: Series, i: number): string {
  return s.color ?? PALETTE[i % PALETTE.length]!;
}

/** The plot area of a chart in `r` and its two scales, leaving room for the title, ticks and labels. */
function frame(panel: ChartPanel, r: Rect, out: DrawingItem[]): { plot: Rect; sx: Scale; sy: Scale } {
  const all = panel.series;
  const xs = all.flatMap((s) =>
    s.style === 'bars' && s.x.length > 1 ? [...s.x, s.x.at(-1)! + (s.x.at(-1)! - s.x.at(-2)!)] : [...s.x],
  );
  const ys = all.flatMap((s) => [...s.y]);
  const hasBars = all.some((s) => s.style === 'bars');
  // Room for the y tick labels: the widest of them.
  const provisional = makeScale(ys, panel.y ?? {}, 0, 1, hasBars);
  const yTickWidth = Math.max(...provisional.ticks.map((t) => textWidth(formatTick(t), FONT)));
  const top = panelTitle(panel.title, r, out, 8);
  const left = r.x + 10 + (panel.y?.label ? FONT + 8 : 0) + yTickWidth + 6;
  const bottom = r.y + r.h - (panel.x?.label ? FONT * 2 + 14 : FONT + 12);
  const right = r.x + r.w - 22;
  const plot: Rect = { x: left, y: top, w: Math.max(10, right - left), h: Math.max(10, bottom - top) };
  const sx = makeScale(xs, panel.x ?? {}, plot.x, plot.x + plot.w);
  const sy = makeScale(ys, panel.y ?? {}, plot.y + plot.h, plot.y, hasBars);
  return { plot, sx, sy };
}

function text(x: number, y: number, s: string, anchor: TextItem['anchor']): TextItem {
  return { kind: 'text', x, y, text: s, size: FONT, anchor, color: INK };
}

/** Grid lines, tick labels and axis labels. */
function axes(panel: ChartPanel, r: Rect, plot: Rect, sx: Scale, sy: Scale, out: DrawingItem[]): void {
  for (const t of sx.ticks) {
    const x = sx(t);
    const points: [number, number][] = [
      [x, plot.y],
      [x, plot.y + plot.h],
    ];
    out.push({ kind: 'polyline', points, color: GRID, width: 1 });
    out.push(text(x, plot.y + plot.h + FONT + 4, formatTick(t), 'middle'));
  }
  for (const t of sy.ticks) {
    const y = sy(t);
    const points: [number, number][] = [
      [plot.x, y],
      [plot.x + plot.w, y],
    ];
    out.push({ kind: 'polyline', points, color: GRID, width: 1 });
    out.push(text(plot.x - 5, y + FONT * 0.35, formatTick(t), 'end'));
  }
  const xLabel = panel.x?.label;
  const yLabel = panel.y?.label;
  if (xLabel) out.push(text(plot.x + plot.w / 2, r.y + r.h - 6, xLabel, 'middle'));
  if (yLabel) out.push({ ...text(r.x + 8 + FONT, plot.y + plot.h / 2, yLabel, 'middle'), vertical: true });
}

/** A histogram series: one bar per bin, from the axis's base up to the value. */
function bars(s: Series, color: string, panel: ChartPanel, plot: Rect, sx: Scale, sy: Scale): DrawingItem[] {
  const out: DrawingItem[] = [];
  const n = Math.min(s.x.length, s.y.length);
  const base = sy(Math.max(sy.min, panel.y?.log ? sy.min : 0));
  for (let k = 0; k < n; k++) {
    const x0 = sx(s.x[k]!);
    const x1 = sx(k + 1 < s.x.length ? s.x[k + 1]! : s.x[k]! + (s.x[k]! - (s.x[k - 1] ?? s.x[k]! - 1)));
    const y = Math.max(plot.y, Math.min(plot.y + plot.h, sy(s.y[k]!)));
    if (!Number.isFinite(y) || y >= base) continue;
    out.push({ kind: 'rect', x: x0, y, w: Math.max(0.5, x1 - x0 - 0.5), h: base - y, fill: color });
  }
  return out;
}

/** A line and/or point series, clipped to the plot area; gaps where values are missing. */
function lines(s: Series, color: string, panel: ChartPanel, plot: Rect, sx: Scale, sy: Scale): DrawingItem[] {
  const out: DrawingItem[] = [];
  const style = s.style ?? 'line';
  const n = Math.min(s.x.length, s.y.length);
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
  return out;
}

function legend(panel: ChartPanel, plot: Rect, out: DrawingItem[]): void {
  const where = panel.legend ?? 'top-right';
  const entries = panel.series
    .map((s, i) => ({ s, color: colorOf(s, i) }))
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
      const points: [number, number][] = [
        [x + 6, cy],
        [x + 26, cy],
      ];
      out.push({ kind: 'polyline', points, color, width: 2, ...(dash ? { dash } : {}) });
    }
    out.push(text(x + 30, cy + FONT * 0.35, s.name, 'start'));
  });
}

/** A chart panel in `r`: title, axes, every series, the frame and the legend. */
export function chart(panel: ChartPanel, r: Rect, out: DrawingItem[]): void {
  const { plot, sx, sy } = frame(panel, r, out);
  axes(panel, r, plot, sx, sy, out);
  panel.series.forEach((s, i) => {
    const draw = s.style === 'bars' ? bars : lines;
    out.push(...draw(s, colorOf(s, i), panel, plot, sx, sy));
  });
  out.push({ kind: 'rect', ...plot, stroke: '#888888', strokeWidth: 1 });
  legend(panel, plot, out);
}
