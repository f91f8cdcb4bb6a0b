import { ShapeError, type Tensor, type FloatDType } from '@dl/tensor';

/** A grayscale image: `pixels[y * width + x]`, 0 black to 255 white. */
export interface GrayImage {
  width: number;
  height: number;
  pixels: Uint8Array;
}

export interface FilterGridOptions {
  /** Filters per row (default 8, as the book's `visualize_filter`). */
  columns?: number;
  /** Pixels between tiles and around the grid (default 1). */
  padding?: number;
  /** Gray level of the padding, 0..255 (default 255, white). */
  background?: number;
  /** Each filter weight becomes a `zoom × zoom` block (default 1). */
  zoom?: number;
  /** Which input channel of each filter to show (default 0, as the book). */
  channel?: number;
  /**
   * 'per-filter' (default, as the book's `imshow`): each filter stretched to 0..255 on its own;
   * 'shared': one range for all filters, so magnitudes compare.
   */
  scale?: 'per-filter' | 'shared';
  /** Dark for large weights (default false). The book's figure uses `gray_r`: pass true to match it. */
  invert?: boolean;
}

/**
 * The filters `W` `[FN, C, FH, FW]` of a convolution as one image: a grid of `FH × FW` tiles (one
 * channel of each filter), `columns` per row, for the book's "filters before and after training"
 * figure (7-24). A constant filter is mid-gray. The caller writes it as PNG (or anything else).
 */
export function filterGrid(W: Tensor<FloatDType>, options: FilterGridOptions = {}): GrayImage {
  const { columns = 8, padding = 1, background = 255, zoom = 1, channel = 0 } = options;
  const { scale = 'per-filter', invert = false } = options;
  if (W.ndim !== 4) throw new ShapeError(`filterGrid: W must be [FN, C, FH, FW], got [${W.shape.join(',')}]`);
  const [FN, C, FH, FW] = W.shape as [number, number, number, number];
  if (!Number.isInteger(channel) || channel < 0 || channel >= C)
    throw new RangeError(`filterGrid: channel ${channel} is not in [0, ${C})`);
  for (const [name, v, min] of [
    ['columns', columns, 1],
    ['padding', padding, 0],
    ['zoom', zoom, 1],
  ] as const) {
    if (!Number.isInteger(v) || v < min)
      throw new RangeError(`filterGrid: ${name} must be an integer >= ${min}, got ${v}`);
  }
  const cols = Math.min(columns, Math.max(FN, 1));
  const rows = Math.ceil(FN / cols);
  const tileW = FW * zoom;
  const tileH = FH * zoom;
  const width = cols * tileW + (cols + 1) * padding;
  const height = rows * tileH + (rows + 1) * padding;
  const pixels = new Uint8Array(width * height).fill(Math.round(Math.min(255, Math.max(0, background))));
  const tile = (f: number): ArrayLike<number> =>
    W.data.subarray((f * C + channel) * FH * FW, ((f * C + channel) * FH + FH) * FW);
  const range = (values: ArrayLike<number>[]): [number, number] => {
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of values)
      for (let i = 0; i < v.length; i++) [lo, hi] = [Math.min(lo, v[i]!), Math.max(hi, v[i]!)];
    return [lo, hi];
  };
  const shared = scale === 'shared' ? range(Array.from({ length: FN }, (_, f) => tile(f))) : undefined;
  for (let f = 0; f < FN; f++) {
    const values = tile(f);
    const [lo, hi] = shared ?? range([values]);
    const x0 = padding + (f % cols) * (tileW + padding);
    const y0 = padding + Math.floor(f / cols) * (tileH + padding);
    for (let fy = 0; fy < FH; fy++) {
      for (let fx = 0; fx < FW; fx++) {
        const level = hi > lo ? (values[fy * FW + fx]! - lo) / (hi - lo) : 0.5;
        const gray = Math.round(255 * (invert ? 1 - level : level));
        for (let zy = 0; zy < zoom; zy++) {
          const start = (y0 + fy * zoom + zy) * width + x0 + fx * zoom;
          pixels.fill(gray, start, start + zoom);
        }
      }
    }
  }
  return { width, height, pixels };
}
