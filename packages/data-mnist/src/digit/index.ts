/**
 * `@dl/data-mnist/digit`: pictures of digits made to look like MNIST's (28×28, white on black,
 * centred by mass in a 20×20 box), the input a network trained on MNIST reads. Browser-safe (no
 * `node:` imports, unlike the package's main entry, which reads files): `dl predict` uses it on PNG
 * and PGM files, the playground on canvas drawings.
 */
export {
  MNIST_DIGIT_BOX,
  MNIST_SIDE,
  centerOfMass,
  hasInk,
  resizeArea,
  toGray,
  toMnistDigit,
  type GrayImage,
  type PixelImage,
} from './digit-image.js';
export {
  DEFAULT_PEN_WIDTH,
  preprocessStrokes,
  rasterizeStrokes,
  strokeBounds,
  type Bounds,
  type PreprocessOptions,
  type Stroke,
  type StrokePoint,
} from './digit-strokes.js';
