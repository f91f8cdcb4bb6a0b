import { describe, expect, it } from 'vitest';
import { textWidth, type TextItem } from './drawing.js';
import { layoutFigure, type Figure } from './figure.js';
import { rasterize } from './raster.js';
import { fitTitle } from './title.js';

const LONG =
  'MNIST loss, MultiLayerNet 784-100-100-100-100-10 (smoothed as the book does), SGD against Momentum, ' +
  'AdaGrad and Adam with the learning rates of figure 6-9, every iteration of every optimizer';

function texts(figure: Figure): { items: TextItem[]; width: number; height: number } {
  const drawing = layoutFigure(figure);
  const items = drawing.items.filter((i): i is TextItem => i.kind === 'text');
  return { items, width: drawing.width, height: drawing.height };
}

/** Left and right ends of a text item, in CSS pixels. */
function extent(t: TextItem): [number, number] {
  const w = textWidth(t.text, t.size);
  const left = t.anchor === 'start' ? t.x : t.anchor === 'middle' ? t.x - w / 2 : t.x - w;
  return [left, left + w];
}

/** Leftmost and rightmost inked column (image pixels) in rows y0..y1 of an RGB raster. */
function inkColumns(image: ReturnType<typeof rasterize>, y0: number, y1: number): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let y = Math.max(0, y0); y < Math.min(image.height, y1); y++) {
    for (let x = 0; x < image.width; x++) {
      if (image.data[(y * image.width + x) * 3]! < 200) {
        lo = Math.min(lo, x);
        hi = Math.max(hi, x);
      }
    }
  }
  return [lo, hi];
}

describe('titles', () => {
  it('keep a title that fits as one line at full size', () => {
    expect(fitTitle('loss', 13, 600)).toEqual({ lines: ['loss'], size: 13, height: 13 });
  });

  it('shrink a little, then wrap at spaces, so every line fits the width', () => {
    for (const width of [120, 300, 624, 1200]) {
      const fitted = fitTitle(LONG, 13, width);
      expect(fitted.lines.join(' ')).toBe(LONG);
      expect(fitted.height).toBeGreaterThanOrEqual(fitted.size * fitted.lines.length);
      // Below 80% only where a single word is wider than the room (at 120 pixels).
      if (width >= 300) expect(fitted.size).toBeGreaterThanOrEqual(13 * 0.8 - 1e-9);
      for (const line of fitted.lines) expect(textWidth(line, fitted.size)).toBeLessThanOrEqual(width + 1e-9);
    }
    // A word wider than the room shrinks the title instead of leaving it.
    const word = fitTitle('x'.repeat(200), 13, 300);
    expect(word.lines).toEqual(['x'.repeat(200)]);
    expect(textWidth(word.lines[0]!, word.size)).toBeCloseTo(300, 6);
  });

  it('lay out long figure and panel titles inside the image, and the PNG draws them there', () => {
    const series = [{ name: 'SGD', x: [0, 1, 2], y: [2, 1, 0.5] }];
    const figure: Figure = {
      title: LONG,
      panels: [
        { title: LONG, series },
        { title: LONG, series },
      ],
    };
    const { items, width, height } = texts(figure);
    for (const t of items) {
      const [left, right] = extent(t);
      expect(left).toBeGreaterThanOrEqual(0);
      expect(right).toBeLessThanOrEqual(width);
      expect(t.y).toBeLessThanOrEqual(height);
    }
    const scale = 2;
    const image = rasterize(layoutFigure(figure), scale);
    // The figure title's lines: ink between their first line's top and last line's baseline, inside
    // the image with a margin, and spanning what the layout measured for them.
    const head = items.slice(0, fitTitle(LONG, 15, width - 16).lines.length);
    expect(head.map((t) => t.text).join(' ')).toBe(LONG);
    const top = Math.floor((head[0]!.y - head[0]!.size) * scale);
    const bottom = Math.ceil((head.at(-1)!.y + 1) * scale);
    const [lo, hi] = inkColumns(image, top, bottom);
    const measured = head.map(extent);
    expect(lo).toBeGreaterThan(0);
    expect(hi).toBeLessThan(image.width - 1);
    expect(lo).toBeGreaterThanOrEqual(Math.floor(Math.min(...measured.map((e) => e[0])) * scale) - 1);
    expect(hi).toBeLessThanOrEqual(Math.ceil(Math.max(...measured.map((e) => e[1])) * scale) + 1);
  });

  it("draw the optimizers experiment's MNIST title inside its 640-pixel panel", () => {
    const title = 'MNIST loss, MultiLayerNet 784-100-100-100-100-10 (smoothed as the book does)';
    const figure: Figure = { panels: [{ title, series: [{ name: 'Adam', x: [0, 1], y: [1, 0] }] }] };
    const { items } = texts(figure);
    const line = items.find((t) => t.text === title)!;
    const image = rasterize(layoutFigure(figure), 2);
    const [lo, hi] = inkColumns(image, Math.floor((line.y - line.size) * 2), Math.ceil(line.y * 2) + 1);
    const [left, right] = extent(line);
    expect(lo).toBeGreaterThanOrEqual(Math.floor(left * 2) - 1);
    expect(hi).toBeLessThanOrEqual(Math.ceil(right * 2) + 1);
    expect(lo).toBeGreaterThan(0);
    expect(hi).toBeLessThan(image.width - 1);
  });
});
