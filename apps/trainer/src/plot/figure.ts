import type { Image8 } from '../image/png-encode.js';
import { chart } from './chart.js';
import type { Drawing, DrawingItem } from './drawing.js';
import { imageGrid } from './image-grid.js';
import { FIGURE_TITLE, type Rect } from './style.js';
import { fitTitle, titleItems } from './title.js';

export { PALETTE } from './style.js';

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

/** Lays out a figure: a grid of panels under an optional title (wrapped when it is long). */
export function layoutFigure(figure: Figure): Drawing {
  const panels = figure.panels;
  const columns = Math.max(1, figure.columns ?? Math.min(3, panels.length));
  const rows = Math.max(1, Math.ceil(panels.length / columns));
  const pw = figure.panelWidth ?? (columns === 1 ? 640 : 400);
  const ph = figure.panelHeight ?? (columns === 1 ? 420 : 300);
  const width = columns * pw;
  const title = figure.title ? fitTitle(figure.title, FIGURE_TITLE, width - 16) : undefined;
  const head = title ? title.height + 16 : 0;
  const height = head + rows * ph;
  const items: DrawingItem[] = title ? titleItems(title, width / 2, title.size + 6) : [];
  panels.forEach((panel, k) => {
    const rect: Rect = { x: (k % columns) * pw, y: head + Math.floor(k / columns) * ph, w: pw, h: ph };
    if (panel.kind === 'images') imageGrid(panel, rect, items);
    else chart(panel, rect, items);
  });
  return { width, height, items };
}
