import type { Image8 } from '../image/png-encode.js';
import {
  ADVANCE_EM,
  type Drawing,
  type DrawingItem,
  type ImageItem,
  type PolylineItem,
  type TextItem,
} from './drawing.js';
import { GLYPH_ADVANCE, GLYPH_ASCENT, GLYPH_HEIGHT, GLYPH_WIDTH, glyph } from './font.js';

type Rgb = readonly [number, number, number];
type Point = readonly [number, number];

function parseColor(color: string): Rgb {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(color);
  if (!m) throw new RangeError(`rasterize: colours must be #rrggbb, got '${color}'`);
  return [parseInt(m[1]!, 16), parseInt(m[2]!, 16), parseInt(m[3]!, 16)];
}

/** Splits a polyline into its dashes (the raster form of stroke-dasharray). */
function dashes(points: readonly Point[], pattern: readonly number[]): Point[][] {
  const out: Point[][] = [];
  let k = 0;
  let left = pattern[0]!;
  let on = true;
  let current: Point[] = [points[0]!];
  for (let i = 1; i < points.length; i++) {
    let [x0, y0] = points[i - 1]!;
    const [x1, y1] = points[i]!;
    let len = Math.hypot(x1 - x0, y1 - y0);
    while (len > left) {
      const f = left / len;
      const p: Point = [x0 + (x1 - x0) * f, y0 + (y1 - y0) * f];
      if (on) out.push([...current, p]);
      current = [p];
      [x0, y0] = p;
      len -= left;
      on = !on;
      k = (k + 1) % pattern.length;
      left = pattern[k]!;
    }
    left -= len;
    current.push([x1, y1]);
  }
  if (on && current.length > 1) out.push(current);
  return out;
}

/** Draws a `Drawing` into an RGB image, `scale` image pixels per CSS pixel, anti-aliased. */
class Raster {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
  // Coverage of the polyline being drawn: the maximum over its segments, so joints are not blended twice.
  private readonly mask: Float32Array;

  constructor(
    width: number,
    height: number,
    private readonly scale: number,
  ) {
    this.width = Math.round(width * scale);
    this.height = Math.round(height * scale);
    this.data = new Uint8Array(this.width * this.height * 3).fill(255);
    this.mask = new Float32Array(this.width * this.height);
  }

  private blend(i: number, [r, g, b]: Rgb, a: number): void {
    const o = i * 3;
    const d = this.data;
    d[o] = d[o]! + (r - d[o]!) * a;
    d[o + 1] = d[o + 1]! + (g - d[o + 1]!) * a;
    d[o + 2] = d[o + 2]! + (b - d[o + 2]!) * a;
  }

  fillRect(x: number, y: number, w: number, h: number, color: Rgb): void {
    const s = this.scale;
    const x0 = Math.max(0, Math.round(x * s));
    const x1 = Math.min(this.width, Math.round((x + w) * s));
    const y0 = Math.max(0, Math.round(y * s));
    const y1 = Math.min(this.height, Math.round((y + h) * s));
    for (let yy = y0; yy < y1; yy++)
      for (let xx = x0; xx < x1; xx++) this.blend(yy * this.width + xx, color, 1);
  }

  /** Coverage of a round-capped segment of half-width `hw` (image pixels), max-merged into the mask. */
  private segment(ax: number, ay: number, bx: number, by: number, hw: number, box: number[]): void {
    const x0 = Math.max(0, Math.floor(Math.min(ax, bx) - hw - 1));
    const x1 = Math.min(this.width - 1, Math.ceil(Math.max(ax, bx) + hw + 1));
    const y0 = Math.max(0, Math.floor(Math.min(ay, by) - hw - 1));
    const y1 = Math.min(this.height - 1, Math.ceil(Math.max(ay, by) + hw + 1));
    const dx = bx - ax;
    const dy = by - ay;
    const len2 = dx * dx + dy * dy;
    for (let y = y0; y <= y1; y++) {
      for (let x = x0; x <= x1; x++) {
        const px = x + 0.5 - ax;
        const py = y + 0.5 - ay;
        const t = len2 > 0 ? Math.max(0, Math.min(1, (px * dx + py * dy) / len2)) : 0;
        const dist = Math.hypot(px - t * dx, py - t * dy);
        const c = Math.min(1, hw + 0.5 - dist);
        if (c <= 0) continue;
        const i = y * this.width + x;
        if (c > this.mask[i]!) this.mask[i] = c;
      }
    }
    box[0] = Math.min(box[0]!, x0);
    box[1] = Math.min(box[1]!, y0);
    box[2] = Math.max(box[2]!, x1);
    box[3] = Math.max(box[3]!, y1);
  }

  private flush(color: Rgb, box: number[]): void {
    const [x0, y0, x1, y1] = box as [number, number, number, number];
    for (let y = y0; y <= y1; y++) {
      for (let x = x0; x <= x1; x++) {
        const i = y * this.width + x;
        const c = this.mask[i]!;
        if (c > 0) {
          this.blend(i, color, c);
          this.mask[i] = 0;
        }
      }
    }
  }

  polyline(d: PolylineItem): void {
    if (d.points.length < 2) return;
    const s = this.scale;
    const color = parseColor(d.color);
    const parts = d.dash ? dashes(d.points, d.dash) : [d.points];
    const hw = Math.max(0.5, (d.width * s) / 2);
    const box = [Infinity, Infinity, -Infinity, -Infinity];
    for (const part of parts) {
      for (let i = 1; i < part.length; i++) {
        const [ax, ay] = part[i - 1]!;
        const [bx, by] = part[i]!;
        this.segment(ax * s, ay * s, bx * s, by * s, hw, box);
      }
    }
    if (box[0]! <= box[2]!) this.flush(color, box);
  }

  circle(cx: number, cy: number, r: number, color: Rgb): void {
    const box = [Infinity, Infinity, -Infinity, -Infinity];
    const s = this.scale;
    // A zero-length segment is a disc.
    this.segment(cx * s, cy * s, cx * s, cy * s, r * s, box);
    if (box[0]! <= box[2]!) this.flush(color, box);
  }

  /**
   * Text in the bitmap font, scaled so each character advances exactly `textWidth`'s `ADVANCE_EM`: the
   * layout measured the text with that width, so the PNG keeps it where the SVG does (a glyph
   * pixel of a whole number of image pixels would make long titles wider than their room).
   * Glyph pixels are nearest-neighbour cells of `f` image pixels, `f` not a whole number.
   */
  text(d: TextItem): void {
    const chars = [...d.text];
    const f = (this.scale * d.size * ADVANCE_EM) / GLYPH_ADVANCE;
    const len = chars.length * GLYPH_ADVANCE * f - f;
    const shift = d.anchor === 'start' ? 0 : d.anchor === 'middle' ? -len / 2 : -len;
    const ax = d.x * this.scale;
    const ay = d.y * this.scale;
    const color = parseColor(d.color);
    // Image pixels [edge(i), edge(i + 1)) along the text (u) and down from the baseline (v).
    const uEdge = (i: number): number => Math.round(shift + i * f);
    const vEdge = (i: number): number => Math.round((i - GLYPH_ASCENT) * f);
    chars.forEach((ch, k) => {
      const bits = glyph(ch);
      for (let gy = 0; gy < GLYPH_HEIGHT; gy++) {
        for (let gx = 0; gx < GLYPH_WIDTH; gx++) {
          if (!bits[gy * GLYPH_WIDTH + gx]) continue;
          const u = k * GLYPH_ADVANCE + gx;
          for (let a = uEdge(u); a < uEdge(u + 1); a++) {
            for (let b = vEdge(gy); b < vEdge(gy + 1); b++) {
              // Rotated for vertical text: along the text is up.
              const x = Math.round(d.vertical ? ax + b : ax + a);
              const y = Math.round(d.vertical ? ay - a - 1 : ay + b);
              if (x >= 0 && y >= 0 && x < this.width && y < this.height)
                this.blend(y * this.width + x, color, 1);
            }
          }
        }
      }
    });
  }

  image(d: ImageItem): void {
    const s = this.scale;
    const { image } = d;
    const x0 = Math.round(d.x * s);
    const y0 = Math.round(d.y * s);
    const w = Math.round(d.w * s);
    const h = Math.round(d.h * s);
    for (let y = Math.max(0, y0); y < Math.min(this.height, y0 + h); y++) {
      const sy = Math.min(image.height - 1, Math.floor(((y - y0) * image.height) / h));
      for (let x = Math.max(0, x0); x < Math.min(this.width, x0 + w); x++) {
        const sx = Math.min(image.width - 1, Math.floor(((x - x0) * image.width) / w));
        const o = (sy * image.width + sx) * image.channels;
        const c = image.data;
        const rgb: Rgb = image.channels === 1 ? [c[o]!, c[o]!, c[o]!] : [c[o]!, c[o + 1]!, c[o + 2]!];
        this.blend(y * this.width + x, rgb, image.channels === 4 ? c[o + 3]! / 255 : 1);
      }
    }
  }

  draw(d: DrawingItem): void {
    switch (d.kind) {
      case 'polyline':
        return this.polyline(d);
      case 'rect': {
        if (d.fill) this.fillRect(d.x, d.y, d.w, d.h, parseColor(d.fill));
        if (d.stroke) {
          const { x, y, w, h } = d;
          const corners: [number, number][] = [
            [x, y],
            [x + w, y],
            [x + w, y + h],
            [x, y + h],
            [x, y],
          ];
          this.polyline({ kind: 'polyline', points: corners, color: d.stroke, width: d.strokeWidth ?? 1 });
        }
        return;
      }
      case 'circle':
        return this.circle(d.cx, d.cy, d.r, parseColor(d.fill));
      case 'text':
        return this.text(d);
      case 'image':
        return this.image(d);
    }
  }
}

/** Renders a drawing to an RGB image, `scale` pixels per CSS pixel (2: sharp on high-density screens). */
export function rasterize(drawing: Drawing, scale = 2): Image8 {
  const r = new Raster(drawing.width, drawing.height, scale);
  for (const item of drawing.items) r.draw(item);
  return { width: r.width, height: r.height, channels: 3, data: r.data };
}
