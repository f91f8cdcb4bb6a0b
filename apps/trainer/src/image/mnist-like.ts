import type { Image8 } from './png-encode.js';

/** Gray values in [0, 1], row-major. */
export interface GrayFloat {
  width: number;
  height: number;
  data: Float32Array;
}

/** Luminance (Rec. 601), with transparent pixels composited over white (paper). */
export function toGray(image: Image8): GrayFloat {
  const { width, height, channels, data } = image;
  const out = new Float32Array(width * height);
  for (let i = 0; i < width * height; i++) {
    const o = i * channels;
    const lum = channels === 1 ? data[o]! : 0.299 * data[o]! + 0.587 * data[o + 1]! + 0.114 * data[o + 2]!;
    const alpha = channels === 4 ? data[o + 3]! / 255 : 1;
    out[i] = (lum * alpha + 255 * (1 - alpha)) / 255;
  }
  return { width, height, data: out };
}

/** Box-filter resampling: each output pixel is the mean of the source area it covers. */
export function resizeArea(src: GrayFloat, width: number, height: number): GrayFloat {
  const out = new Float32Array(width * height);
  const sx = src.width / width;
  const sy = src.height / height;
  for (let y = 0; y < height; y++) {
    const y0 = y * sy;
    const y1 = y0 + sy;
    for (let x = 0; x < width; x++) {
      const x0 = x * sx;
      const x1 = x0 + sx;
      let sum = 0;
      for (let yy = Math.floor(y0); yy < Math.min(src.height, Math.ceil(y1)); yy++) {
        const wy = Math.min(y1, yy + 1) - Math.max(y0, yy);
        for (let xx = Math.floor(x0); xx < Math.min(src.width, Math.ceil(x1)); xx++) {
          const wx = Math.min(x1, xx + 1) - Math.max(x0, xx);
          sum += wx * wy * src.data[yy * src.width + xx]!;
        }
      }
      out[y * width + x] = sum / (sx * sy);
    }
  }
  return { width, height, data: out };
}

/** Mean of the outermost pixels: a bright border means dark ink on paper. */
function borderMean(g: GrayFloat): number {
  let sum = 0;
  let n = 0;
  for (let x = 0; x < g.width; x++) {
    sum += g.data[x]! + g.data[(g.height - 1) * g.width + x]!;
    n += 2;
  }
  for (let y = 1; y < g.height - 1; y++) {
    sum += g.data[y * g.width]! + g.data[y * g.width + g.width - 1]!;
    n += 2;
  }
  return sum / n;
}

/**
 * An image as MNIST's digits are: 28×28, white ink on black, values in [0, 1]. Dark-on-light images
 * are inverted. A 28×28 image is otherwise kept as it is; any other is cropped to its ink, scaled to
 * fit 20×20 (keeping its aspect ratio) and placed so that its centre of mass is at the centre, as
 * MNIST was made.
 */
export function toMnistDigit(image: Image8): Float32Array {
  let g = toGray(image);
  if (borderMean(g) > 0.5) g = { ...g, data: g.data.map((v) => 1 - v) };
  if (g.width === 28 && g.height === 28) return g.data;
  let [x0, y0, x1, y1] = [g.width, g.height, -1, -1];
  for (let y = 0; y < g.height; y++) {
    for (let x = 0; x < g.width; x++) {
      if (g.data[y * g.width + x]! > 0.1) {
        x0 = Math.min(x0, x);
        y0 = Math.min(y0, y);
        x1 = Math.max(x1, x);
        y1 = Math.max(y1, y);
      }
    }
  }
  const out = new Float32Array(28 * 28);
  if (x1 < 0) return out; // no ink: an empty digit
  const w = x1 - x0 + 1;
  const h = y1 - y0 + 1;
  const crop = new Float32Array(w * h);
  for (let y = 0; y < h; y++)
    crop.set(g.data.subarray((y0 + y) * g.width + x0, (y0 + y) * g.width + x0 + w), y * w);
  const scale = 20 / Math.max(w, h);
  const tw = Math.max(1, Math.round(w * scale));
  const th = Math.max(1, Math.round(h * scale));
  const small = resizeArea({ width: w, height: h, data: crop }, tw, th);
  let mass = 0;
  let cx = 0;
  let cy = 0;
  for (let y = 0; y < th; y++) {
    for (let x = 0; x < tw; x++) {
      const v = small.data[y * tw + x]!;
      mass += v;
      cx += v * (x + 0.5);
      cy += v * (y + 0.5);
    }
  }
  const left = Math.round(14 - (mass > 0 ? cx / mass : tw / 2));
  const top = Math.round(14 - (mass > 0 ? cy / mass : th / 2));
  for (let y = 0; y < th; y++) {
    for (let x = 0; x < tw; x++) {
      const X = x + left;
      const Y = y + top;
      if (X >= 0 && X < 28 && Y >= 0 && Y < 28) out[Y * 28 + X] = small.data[y * tw + x]!;
    }
  }
  return out;
}
