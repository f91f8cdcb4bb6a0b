import { Tensor, oneHot } from '@dl/tensor';
import { labelsToInt32, pixelsToFloat32 } from './convert.js';
import { MnistDataError } from './errors.js';
import { readIdx, type AnyIdxArray } from './idx.js';
import { readBytes, readIdxBytes, readImagesIntoFloat32 } from './idx-file.js';
import {
  BUNDLED_MNIST_DIGESTS,
  bundledMnistPaths,
  findMnistFiles,
  type MnistPart,
  type MnistPaths,
} from './locate.js';
import { verifyFileOnce } from './verify.js';

/**
 * The book's `load_mnist` (ch03, `dataset/mnist.py`): the four MNIST files as tensors. Synchronous:
 * reading 55 MB and converting it takes a fraction of a second, and a sync call needs no `await` in
 * scripts and REPLs.
 */

export interface LoadMnistOptions<O extends boolean = boolean> {
  /** Pixels divided by 255 into float32 [0, 1] (default true); false keeps the values 0..255, as float32. */
  normalize?: boolean;
  /** Images as `[N, rows*cols]` (default true, `[N, 784]` for MNIST); false gives `[N, 1, rows, cols]`. */
  flatten?: boolean;
  /** Labels as one-hot float32 `[N, numClasses]`; false (default) gives int32 `[N]`. */
  oneHotLabel?: O;
  /**
   * A directory with the four IDX files (plain or `.gz`) of any MNIST-format data set, e.g.
   * Fashion-MNIST. Default: the original MNIST bundled with this package, checked by SHA-256.
   */
  dir?: string;
  /** The `[rows, cols]` every image must have. Default `[28, 28]` for the bundled MNIST; any with `dir`. */
  imageShape?: readonly [rows: number, cols: number];
  /** Labels must lie in `[0, numClasses)`; also the one-hot width. Default 10. */
  numClasses?: number;
  /** Check the bundled files' size and SHA-256, once per process (default true). Not done with `dir`. */
  verify?: boolean;
}

/** Labels as `oneHotLabel` makes them: float32 one-hot rows, or int32 class indices. */
export type MnistLabels<O extends boolean> = O extends true ? Tensor<'float32'> : Tensor<'int32'>;

/** The book's `(x_train, t_train), (x_test, t_test)`. */
export interface MnistData<O extends boolean = false> {
  readonly xTrain: Tensor<'float32'>;
  readonly tTrain: MnistLabels<O>;
  readonly xTest: Tensor<'float32'>;
  readonly tTest: MnistLabels<O>;
}

/** `loadMnistBytes`' result: the images as bytes, and what divides them into `loadMnist`'s values. */
export interface MnistByteData<O extends boolean = false> {
  readonly xTrain: Tensor<'uint8'>;
  readonly tTrain: MnistLabels<O>;
  readonly xTest: Tensor<'uint8'>;
  readonly tTest: MnistLabels<O>;
  /** 255 with `normalize` (the default: float32 `byte / 255` in [0, 1]), 1 without (the values 0..255). */
  readonly pixelScale: 255 | 1;
}

/**
 * Loads MNIST: `loadMnist()` gives `xTrain` float32 `[60000, 784]` in [0, 1] and `tTrain` int32
 * `[60000]`, and the 10000 test examples likewise. Options as the book's `load_mnist`, plus `dir` for
 * other data sets in the same format. Throws `MnistDataError` naming the file on any bad input.
 */
export function loadMnist<O extends boolean = false>(options: LoadMnistOptions<O> = {}): MnistData<O> {
  const { normalize = true, flatten = true } = options;
  const images = ({ pixels, target, count, imageShape: [rows, cols] }: Split): Tensor<'float32'> =>
    new Tensor(
      // In place when the pixels sit in the tail of `target` (see readImagesIntoFloat32).
      pixelsToFloat32(pixels, normalize, target ?? new Float32Array(pixels.length)),
      flatten ? [count, rows * cols] : [count, 1, rows, cols],
    );
  const { train, test } = loadSplits(options, true, images);
  return { xTrain: train.x, tTrain: train.t, xTest: test.x, tTest: test.t };
}

/**
 * MNIST with the images kept as the files' bytes (uint8, 0..255): a quarter of the memory of
 * `loadMnist`'s float32 images (47 MB instead of 188 for the 60 000 training images). The float32
 * values `loadMnist` gives with the same options are exactly `byte / pixelScale` rounded once to
 * float32, so scaling a batch at a time (`@dl/optim`'s Trainer does, given `pixelScale`) trains on
 * the same numbers. Same options, shapes, labels and errors as `loadMnist`; `normalize` only sets
 * `pixelScale`.
 */
export function loadMnistBytes<O extends boolean = false>(
  options: LoadMnistOptions<O> = {},
): MnistByteData<O> {
  const { normalize = true, flatten = true } = options;
  const images = ({ pixels, count, imageShape: [rows, cols] }: Split): Tensor<'uint8'> =>
    new Tensor(
      // A view of the file's bytes past the 16-byte header: no copy (and no Buffer subclass).
      new Uint8Array(pixels.buffer, pixels.byteOffset, pixels.length),
      flatten ? [count, rows * cols] : [count, 1, rows, cols],
    );
  const { train, test } = loadSplits(options, false, images);
  return {
    xTrain: train.x,
    tTrain: train.t,
    xTest: test.x,
    tTest: test.t,
    pixelScale: normalize ? 255 : 1,
  };
}

/**
 * The two splits, each checked and converted by `images` and the labels' option; `inPlace` reads
 * image files straight into the float32 arrays they become (loadMnist), else as bytes.
 */
function loadSplits<O extends boolean, X>(
  options: LoadMnistOptions<O>,
  inPlace: boolean,
  images: (split: Split) => X,
): { train: { x: X; t: MnistLabels<O> }; test: { x: X; t: MnistLabels<O> } } {
  const { numClasses = 10 } = options;
  const oneHotLabel: boolean = options.oneHotLabel ?? false;
  if (!Number.isInteger(numClasses) || numClasses < 1) {
    throw new RangeError(`loadMnist: numClasses must be an integer >= 1, got ${numClasses}`);
  }
  const { dir } = options;
  const bundled = dir === undefined;
  const paths = dir === undefined ? bundledMnistPaths() : findMnistFiles(dir);
  const read = (part: MnistPart): Parsed => {
    const path = paths[part];
    // Images straight into the float32 array they become (one buffer, not two) where the file allows.
    const into =
      inPlace && (part === 'trainImages' || part === 'testImages') ? readImagesIntoFloat32(path) : undefined;
    const bytes = into?.bytes ?? (bundled ? readBytes(path) : readIdxBytes(path));
    if (bundled && (options.verify ?? true)) verifyFileOnce(path, bytes, BUNDLED_MNIST_DIGESTS[part]);
    return { idx: readIdx(bytes, path), target: into?.target };
  };
  const required: ImageShapeRule | undefined =
    options.imageShape !== undefined
      ? { shape: options.imageShape, why: 'as options.imageShape requires' }
      : bundled
        ? { shape: [28, 28], why: 'the size of MNIST images' }
        : undefined;

  const labels = ({ labels, labelsPath }: Split): MnistLabels<O> => {
    const t = labelsToInt32(labels, numClasses, labelsPath);
    return (oneHotLabel ? oneHot(t, numClasses) : new Tensor(t, [t.length])) as MnistLabels<O>;
  };
  // The training split is converted before the test files are read, so its file bytes (47 MB of
  // pixels) can be collected first: the peak holds one split's raw bytes, not both.
  const convert = (split: Split): { x: X; t: MnistLabels<O>; shape: Split['imageShape'] } => ({
    x: images(split),
    t: labels(split),
    shape: split.imageShape,
  });
  const train = convert(split(read, paths, 'trainImages', 'trainLabels', required));
  const test = convert(
    split(
      read,
      paths,
      'testImages',
      'testLabels',
      required ?? { shape: train.shape, why: 'the size of the training images' },
    ),
  );
  return { train, test };
}

/** The image size a file must have, and why (for the error message). */
interface ImageShapeRule {
  readonly shape: readonly [number, number];
  readonly why: string;
}

/** A file as read: its IDX array, and for images read in place the float32 array holding them. */
interface Parsed {
  readonly idx: AnyIdxArray;
  readonly target: Float32Array | undefined;
}

interface Split {
  readonly pixels: Uint8Array;
  readonly target: Float32Array | undefined;
  readonly labels: Uint8Array;
  readonly count: number;
  readonly imageShape: readonly [number, number];
  readonly labelsPath: string;
}

/** One images/labels pair, checked: uint8 `[N, rows, cols]` images, uint8 `[N]` labels, same N. */
function split(
  read: (part: MnistPart) => Parsed,
  paths: MnistPaths,
  imagesPart: MnistPart,
  labelsPart: MnistPart,
  required: ImageShapeRule | undefined,
): Split {
  const imagesPath = paths[imagesPart];
  const labelsPath = paths[labelsPart];
  const { idx: images, target } = read(imagesPart);
  if (images.dtype !== 'uint8' || images.shape.length !== 3) {
    throw new MnistDataError(
      'bad-shape',
      `${imagesPath}: expected uint8 images [N, rows, cols] (magic number 0x00000803), ` +
        `found ${images.dtype} [${images.shape.join(',')}]`,
      { file: imagesPath },
    );
  }
  const [count, rows, cols] = images.shape as [number, number, number];
  if (required !== undefined && (rows !== required.shape[0] || cols !== required.shape[1])) {
    const [wantRows, wantCols] = required.shape;
    throw new MnistDataError(
      'bad-shape',
      `${imagesPath}: images are ${rows}x${cols}, expected ${wantRows}x${wantCols} (${required.why})`,
      { file: imagesPath },
    );
  }
  const labels = read(labelsPart).idx;
  if (labels.dtype !== 'uint8' || labels.shape.length !== 1) {
    throw new MnistDataError(
      'bad-shape',
      `${labelsPath}: expected uint8 labels [N] (magic number 0x00000801), ` +
        `found ${labels.dtype} [${labels.shape.join(',')}]`,
      { file: labelsPath },
    );
  }
  if (labels.shape[0] !== count) {
    throw new MnistDataError(
      'count-mismatch',
      `${labelsPath}: ${labels.shape[0]} labels for ${count} images in ${imagesPath}; expected one label per image`,
      { file: labelsPath },
    );
  }
  return { pixels: images.data, target, labels: labels.data, count, imageShape: [rows, cols], labelsPath };
}
