/** Float maps (filters, feature maps, digits) as grayscale pixels for a canvas. */

/** The smallest and largest finite value. */
export function minMax(values: ArrayLike<number>): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo === Infinity ? [0, 0] : [lo, hi];
}

/**
 * RGBA bytes for `ImageData`: `lo` maps to black and `hi` to white (or the reverse with `invert`,
 * matplotlib's `gray_r`, which the book uses for filters). A flat map (lo = hi) is mid-grey.
 */
export function grayPixels(
  values: ArrayLike<number>,
  lo: number,
  hi: number,
  invert = false,
): Uint8ClampedArray {
  const out = new Uint8ClampedArray(values.length * 4);
  const span = hi - lo;
  for (let i = 0; i < values.length; i++) {
    let g = span > 0 ? (values[i]! - lo) / span : 0.5;
    g = Math.min(1, Math.max(0, Number.isFinite(g) ? g : 0));
    const v = Math.round((invert ? 1 - g : g) * 255);
    out[4 * i] = v;
    out[4 * i + 1] = v;
    out[4 * i + 2] = v;
    out[4 * i + 3] = 255;
  }
  return out;
}

/** A canvas showing `values` (`rows × cols`, row-major), drawn pixelated at `scale` CSS pixels per value. */
export function grayCanvas(
  values: ArrayLike<number>,
  rows: number,
  cols: number,
  options: { lo: number; hi: number; invert?: boolean; scale: number; label: string },
): HTMLCanvasElement {
  const canvas = document.createElement('canvas');
  canvas.width = cols;
  canvas.height = rows;
  canvas.className = 'pixels';
  canvas.style.width = `${cols * options.scale}px`;
  canvas.style.height = `${rows * options.scale}px`;
  canvas.setAttribute('role', 'img');
  canvas.setAttribute('aria-label', options.label);
  const ctx = canvas.getContext('2d');
  if (ctx) {
    const image = ctx.createImageData(cols, rows);
    image.data.set(grayPixels(values, options.lo, options.hi, options.invert));
    ctx.putImageData(image, 0, 0);
  }
  return canvas;
}
