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

export const INK = '#222222';
export const GRID = '#e6e6e6';
/** Font sizes (CSS pixels): tick and axis labels, panel titles, the figure's title. */
export const FONT = 11;
export const TITLE = 13;
export const FIGURE_TITLE = 15;

/** A rectangle in CSS pixels, origin at the top left. */
export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}
