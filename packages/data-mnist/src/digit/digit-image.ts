/**
 * Any picture of a digit as MNIST's digits are: 28×28, white ink on black, values in [0, 1]. MNIST's
 * own recipe (LeCun et al.): the digit is scaled to fit a 20×20 box keeping its aspect ratio,
 * anti-aliased, then placed in the 28×28 field so that its centre of mass is at the centre. A network
 * trained on MNIST only reads digits made this way. Pure functions on arrays: no file system, so
 * they run in browsers (canvas `ImageData`) as in Node (decoded PNG or PGM files).
 */

/** 8-bit pixels, row-major, `channels` per pixel: 1 gray, 2 gray + alpha, 3 RGB, 4 RGBA (`ImageData`). */
export interface PixelImage {
  readonly width: number;
  readonly height: number;
  readonly channels: 1 | 2 | 3 | 4;
  readonly data: ArrayLike<number>;
}

/** Gray values in [0, 1], row-major. */
export interface GrayImage {
  readonly width: number;
  readonly height: number;
  readonly data: Float32Array;
}

/** The side of MNIST's images, and of the box its digits are scaled into. */
export const MNIST_SIDE = 28;
export const MNIST_DIGIT_BOX = 20;

/** Luminance (Rec. 601) in [0, 1], with transparent pixels composited over white (paper). */
export function toGray(image: PixelImage): GrayImage {
  const { width, height, channels, data } = image;
  const out = new Float32Array(width * height);
  const color = channels >= 3;
  const alphaAt = channels === 2 ? 1 : channels === 4 ? 3 : -1;
  for (let i = 0; i < width * height; i++) {
    const o = i * channels;
    const lum = color ? 0.299 * data[o]! + 0.587 * data[o + 1]! + 0.114 * data[o + 2]! : data[o]!;
    const alpha = alphaAt < 0 ? 1 : data[o + alphaAt]! / 255;
    out[i] = (lum * alpha + 255 * (1 - alpha)) / 255;
  }
  return { width, height, data: out };
}

/** Box-filter resampling: each output pixel is the mean of the source area it covers. */
export function resizeArea(src: GrayImage, width: number, height: number): GrayImage {
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

/**
 * The intensity-weighted centre `[x, y]` of a `width × height` image (square when `height` is left
 * out), in pixel coordinates with pixel centres at i + 0.5; null for an image without ink.
 */
export function centerOfMass(
  image: ArrayLike<number>,
  width: number,
  height = width,
): [number, number] | null {
  let m = 0;
  let sx = 0;
  let sy = 0;
  for (let i = 0; i < height; i++) {
    for (let j = 0; j < width; j++) {
      const v = image[i * width + j]!;
      m += v;
      sx += v * (j + 0.5);
      sy += v * (i + 0.5);
    }
  }
  return m > 0 ? [sx / m, sy / m] : null;
}

/** Mean of the outermost pixels: a bright border means dark ink on paper. */
function borderMean(g: GrayImage): number {
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

/** The smallest box holding every pixel brighter than `threshold`, or null when none is. */
function inkBounds(g: GrayImage, threshold: number): { x0: number; y0: number; w: number; h: number } | null {
  let [x0, y0, x1, y1] = [g.width, g.height, -1, -1];
  for (let y = 0; y < g.height; y++) {
    for (let x = 0; x < g.width; x++) {
      if (g.data[y * g.width + x]! > threshold) {
        x0 = Math.min(x0, x);
        y0 = Math.min(y0, y);
        x1 = Math.max(x1, x);
        y1 = Math.max(y1, y);
      }
    }
  }
  return x1 < 0 ? null : { x0, y0, w: x1 - x0 + 1, h: y1 - y0 + 1 };
}

/**
 * A picture of a digit (any size, gray or colour, either polarity) as MNIST's digits are: 28×28,
 * white ink on black, values in [0, 1], row-major: the input of a network trained on MNIST
 * (reshape to `[1, 784]` or `[1, 1, 28, 28]`). Dark-on-light pictures are inverted. A 28×28 picture
 * is otherwise kept as it is; any other is cropped to its ink, scaled to fit 20×20 (keeping its
 * aspect ratio) and placed so that its centre of mass is at the centre. A picture without ink gives
 * an all-zero image: check `hasInk` before trusting a prediction on it.
 */
export function toMnistDigit(image: PixelImage | GrayImage): Float32Array {
  let g = 'channels' in image ? toGray(image) : image;
  if (borderMean(g) > 0.5) g = { ...g, data: g.data.map((v) => 1 - v) };
  if (g.width === MNIST_SIDE && g.height === MNIST_SIDE) return g.data;
  const out = new Float32Array(MNIST_SIDE * MNIST_SIDE);
  const ink = inkBounds(g, 0.1);
  if (ink === null) return out;
  const { x0, y0, w, h } = ink;
  const crop = new Float32Array(w * h);
  for (let y = 0; y < h; y++)
    crop.set(g.data.subarray((y0 + y) * g.width + x0, (y0 + y) * g.width + x0 + w), y * w);
  const scale = MNIST_DIGIT_BOX / Math.max(w, h);
  const tw = Math.max(1, Math.round(w * scale));
  const th = Math.max(1, Math.round(h * scale));
  const small = resizeArea({ width: w, height: h, data: crop }, tw, th);
  const [cx, cy] = centerOfMass(small.data, tw, th) ?? [tw / 2, th / 2];
  const left = Math.round(MNIST_SIDE / 2 - cx);
  const top = Math.round(MNIST_SIDE / 2 - cy);
  for (let y = 0; y < th; y++) {
    for (let x = 0; x < tw; x++) {
      const X = x + left;
      const Y = y + top;
      if (X >= 0 && X < MNIST_SIDE && Y >= 0 && Y < MNIST_SIDE)
        out[Y * MNIST_SIDE + X] = small.data[y * tw + x]!;
    }
  }
  return out;
}

/** Whether a preprocessed digit has any ink: a blank picture's prediction means nothing. */
export function hasInk(digit: ArrayLike<number>): boolean {
  for (let i = 0; i < digit.length; i++) if (digit[i]! > 0) return true;
  return false;
}
