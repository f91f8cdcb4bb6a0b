import { MnistDataError } from './errors.js';

/** Bytes to the numbers a network eats: pixels through a lookup table, labels checked and widened. */

function table(divisor: number): Float32Array {
  const lut = new Float32Array(256);
  // i / 255 in float64, rounded once to float32, is the correctly rounded float32 quotient: the
  // value NumPy's `x.astype(np.float32) / 255.0` gives, so pixels match the book to the last bit.
  for (let i = 0; i < 256; i++) lut[i] = i / divisor;
  return lut;
}
const RAW = table(1);
const NORMALIZED = table(255);

/**
 * Pixels (0..255) as float32: divided by 255 when `normalize` (the book's `normalize=True`), else the
 * raw values. One table lookup per pixel: no division, no branch in the loop.
 */
export function pixelsToFloat32(
  pixels: Uint8Array,
  normalize: boolean,
  out: Float32Array = new Float32Array(pixels.length),
): Float32Array {
  if (out.length !== pixels.length) {
    throw new RangeError(`pixelsToFloat32: out has ${out.length} elements, pixels ${pixels.length}`);
  }
  const lut = normalize ? NORMALIZED : RAW;
  const n = pixels.length;
  for (let i = 0; i < n; i++) out[i] = lut[pixels[i]!]!;
  return out;
}

/** Labels as int32, each checked to lie in [0, numClasses); the error names the file and the index. */
export function labelsToInt32(labels: Uint8Array, numClasses: number, file: string): Int32Array {
  const out = new Int32Array(labels.length);
  for (let i = 0; i < labels.length; i++) {
    const k = labels[i]!;
    if (k >= numClasses) {
      throw new MnistDataError(
        'bad-label',
        `${file}: label ${k} at index ${i} is outside [0, ${numClasses}); ` +
          `expected class labels 0..${numClasses - 1} (pass numClasses for more classes)`,
        { file },
      );
    }
    out[i] = k;
  }
  return out;
}
