import { textWidth, type DrawingItem, type TextItem } from './drawing.js';
import { INK, TITLE, type Rect } from './style.js';

/** A title never shrinks below this fraction of its size: past it, it wraps onto more lines. */
const SHRINK = 0.8;
/** Baseline to baseline, as a multiple of the font size. */
const LEADING = 1.25;

/** Words of `text` on lines no wider than `width` at `size` (a word wider than that has a line of its own). */
function wrap(text: string, size: number, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter((w) => w.length > 0)) {
    const candidate = line === '' ? word : `${line} ${word}`;
    if (line !== '' && textWidth(candidate, size) > width) {
      lines.push(line);
      line = word;
    } else {
      line = candidate;
    }
  }
  if (line !== '') lines.push(line);
  return lines;
}

/** A title laid out to fit a width: its lines, their font size and the height they take. */
export interface TitleLayout {
  readonly lines: readonly string[];
  readonly size: number;
  /** From the top of the title's band to just below its last line's baseline. */
  readonly height: number;
}

/**
 * Fits `text` into `width` CSS pixels: at `size` when it fits; else shrunk (down to 80% of
 * `size`) onto one line; else wrapped at spaces onto as few lines as needed at that smaller size;
 * a single word still too wide shrinks the whole title until it fits. Every line's `textWidth`
 * is then at most `width`, so both renderers keep it inside the image.
 */
export function fitTitle(text: string, size: number, width: number): TitleLayout {
  const room = Math.max(1, width);
  const full = textWidth(text, size);
  let lines = [text];
  let fitted = size;
  if (full > room) {
    const smallest = size * SHRINK;
    if (textWidth(text, smallest) <= room) {
      fitted = (size * room) / full;
    } else {
      lines = wrap(text, smallest, room);
      const widest = Math.max(...lines.map((l) => textWidth(l, smallest)));
      fitted = widest > room ? (smallest * room) / widest : smallest;
    }
  }
  return { lines, size: fitted, height: fitted * (1 + LEADING * (lines.length - 1)) };
}

/** The text items of a laid-out title, centred on `centre`, the first baseline at `baseline`. */
export function titleItems(title: TitleLayout, centre: number, baseline: number): TextItem[] {
  return title.lines.map((line, k) => ({
    kind: 'text',
    x: centre,
    y: baseline + k * LEADING * title.size,
    text: line,
    size: title.size,
    anchor: 'middle',
    color: INK,
  }));
}

/**
 * A panel's title, fitted to the panel's width less a margin, at the top of `r`; returns the top
 * of what comes below it (`blank` below the panel's top when there is no title).
 */
export function panelTitle(title: string | undefined, r: Rect, out: DrawingItem[], blank: number): number {
  if (!title) return r.y + blank;
  const fitted = fitTitle(title, TITLE, r.w - 16);
  out.push(...titleItems(fitted, r.x + r.w / 2, r.y + fitted.size + 2));
  return r.y + fitted.height + 12;
}
