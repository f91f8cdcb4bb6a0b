import { centerOfMass } from './digit-image.js';

/**
 * A digit drawn as strokes (a canvas, a pen) to a 28×28 MNIST-style image. MNIST's own recipe, as
 * `toMnistDigit` follows it for pixels: the digit is scaled to fit a 20×20 box keeping its aspect
 * ratio, anti-aliased, then placed in a 28×28 field so that its centre of mass is at the centre. We
 * keep the strokes as vectors and re-draw them at that scale with a fixed pen width, so a digit drawn
 * small or large gets the same stroke thickness as MNIST's (scaling pixels instead would make small
 * drawings thick and large ones thin).
 */

export type StrokePoint = readonly [x: number, y: number];
export type Stroke = readonly StrokePoint[];

export interface Bounds {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export interface PreprocessOptions {
  /** Output side (28). */
  size?: number;
  /** Side of the box the digit is scaled into (20). */
  box?: number;
  /** Pen width in output pixels. */
  penWidth?: number;
  /** Subpixels per pixel side for anti-aliasing. */
  supersample?: number;
}

export const DEFAULT_PEN_WIDTH = 2.4;

/** The bounding box of all points, or null without points. */
export function strokeBounds(strokes: readonly Stroke[]): Bounds | null {
  let b: Bounds | null = null;
  for (const s of strokes) {
    for (const [x, y] of s) {
      if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
      if (!b) b = { x0: x, y0: y, x1: x, y1: y };
      else {
        b.x0 = Math.min(b.x0, x);
        b.y0 = Math.min(b.y0, y);
        b.x1 = Math.max(b.x1, x);
        b.y1 = Math.max(b.y1, y);
      }
    }
  }
  return b;
}

/** Squared distance from (px, py) to the segment (ax, ay)–(bx, by). */
function segmentDistance2(px: number, py: number, ax: number, ay: number, bx: number, by: number): number {
  const dx = bx - ax;
  const dy = by - ay;
  const len2 = dx * dx + dy * dy;
  let t = len2 > 0 ? ((px - ax) * dx + (py - ay) * dy) / len2 : 0;
  t = Math.max(0, Math.min(1, t));
  const ex = px - (ax + t * dx);
  const ey = py - (ay + t * dy);
  return ex * ex + ey * ey;
}

/**
 * Draws strokes (already in output pixel coordinates, pixel (i, j) covering [j, j+1) × [i, i+1)) with a
 * round pen of `penWidth`, returning the covered fraction of each pixel in [0, 1], row-major.
 */
export function rasterizeStrokes(
  strokes: readonly Stroke[],
  size: number,
  penWidth: number,
  supersample = 4,
): Float32Array {
  const k = supersample;
  const fine = size * k;
  const hit = new Uint8Array(fine * fine);
  const r = penWidth / 2;
  const r2 = r * r;
  for (const stroke of strokes) {
    const n = stroke.length;
    for (let s = 0; s < Math.max(n - 1, 1); s++) {
      const a = stroke[s];
      const b = stroke[Math.min(s + 1, n - 1)];
      if (!a || !b) continue;
      // Only the subpixels near this segment can be covered by it.
      const lo = (v: number): number => Math.max(0, Math.floor((v - r) * k));
      const hi = (v: number): number => Math.min(fine - 1, Math.ceil((v + r) * k));
      for (let fy = lo(Math.min(a[1], b[1])); fy <= hi(Math.max(a[1], b[1])); fy++) {
        const py = (fy + 0.5) / k;
        for (let fx = lo(Math.min(a[0], b[0])); fx <= hi(Math.max(a[0], b[0])); fx++) {
          if (hit[fy * fine + fx]) continue;
          const px = (fx + 0.5) / k;
          if (segmentDistance2(px, py, a[0], a[1], b[0], b[1]) <= r2) hit[fy * fine + fx] = 1;
        }
      }
    }
  }
  const out = new Float32Array(size * size);
  const per = 1 / (k * k);
  for (let fy = 0; fy < fine; fy++) {
    const row = Math.floor(fy / k) * size;
    for (let fx = 0; fx < fine; fx++) if (hit[fy * fine + fx]) out[row + Math.floor(fx / k)]! += per;
  }
  return out;
}

function transform(
  strokes: readonly Stroke[],
  scale: number,
  bounds: Bounds,
  dx: number,
  dy: number,
): Stroke[] {
  return strokes.map((s) =>
    s.map(([x, y]): StrokePoint => [(x - bounds.x0) * scale + dx, (y - bounds.y0) * scale + dy]),
  );
}

/**
 * Strokes in any coordinates (canvas pixels, y down) to a `size × size` image in [0, 1], ink = 1,
 * as MNIST: longest side scaled to `box` (the pen included), centre of mass moved to the centre.
 * Null when there is nothing drawn.
 */
export function preprocessStrokes(
  strokes: readonly Stroke[],
  options: PreprocessOptions = {},
): Float32Array | null {
  const { size = 28, box = 20, penWidth = DEFAULT_PEN_WIDTH, supersample = 4 } = options;
  const bounds = strokeBounds(strokes);
  if (!bounds) return null;
  const w = bounds.x1 - bounds.x0;
  const h = bounds.y1 - bounds.y0;
  const longest = Math.max(w, h);
  // A dot has no extent: draw it as a dot of pen width, whatever its scale.
  const scale = longest > 0 ? Math.max(box - penWidth, 1) / longest : 1;
  // First pass centred by the bounding box, to measure the centre of mass.
  const first = rasterizeStrokes(
    transform(strokes, scale, bounds, (size - w * scale) / 2, (size - h * scale) / 2),
    size,
    penWidth,
    supersample,
  );
  const com = centerOfMass(first, size);
  if (!com) return null;
  const shiftX = size / 2 - com[0];
  const shiftY = size / 2 - com[1];
  return rasterizeStrokes(
    transform(strokes, scale, bounds, (size - w * scale) / 2 + shiftX, (size - h * scale) / 2 + shiftY),
    size,
    penWidth,
    supersample,
  );
}
