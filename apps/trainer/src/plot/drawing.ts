import type { Image8 } from '../image/png-encode.js';

/**
 * What a figure is made of, in CSS pixels with the origin at the top left: the layout produces
 * these items once, and the SVG and PNG renderers draw the same list, so the two files agree.
 */
export type DrawingItem = PolylineItem | RectItem | CircleItem | TextItem | ImageItem;

export interface PolylineItem {
  readonly kind: 'polyline';
  readonly points: readonly (readonly [number, number])[];
  /** `#rrggbb`. */
  readonly color: string;
  readonly width: number;
  /** Dash and gap lengths, repeated (SVG's stroke-dasharray); solid when absent. */
  readonly dash?: readonly number[];
}

export interface RectItem {
  readonly kind: 'rect';
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
  readonly fill?: string;
  readonly stroke?: string;
  readonly strokeWidth?: number;
}

export interface CircleItem {
  readonly kind: 'circle';
  readonly cx: number;
  readonly cy: number;
  readonly r: number;
  readonly fill: string;
}

export interface TextItem {
  readonly kind: 'text';
  /** Anchor point; `y` is the baseline. */
  readonly x: number;
  readonly y: number;
  readonly text: string;
  /** Font size in pixels. */
  readonly size: number;
  readonly anchor: 'start' | 'middle' | 'end';
  readonly color: string;
  /** Written upwards (rotated -90°) around the anchor, for y-axis labels. */
  readonly vertical?: boolean;
}

/** A bitmap drawn into a rectangle without smoothing (filters, digits). */
export interface ImageItem {
  readonly kind: 'image';
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
  readonly image: Image8;
}

export interface Drawing {
  readonly width: number;
  readonly height: number;
  readonly items: readonly DrawingItem[];
}

/** A character's advance in a monospace font, in em (both renderers use one and this advance). */
export const ADVANCE_EM = 0.6;

/** The width of `text` at `size`, for a monospace font (both renderers use one). */
export function textWidth(text: string, size: number): number {
  return [...text].length * ADVANCE_EM * size;
}
