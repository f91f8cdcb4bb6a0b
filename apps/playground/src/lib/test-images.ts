import {
  checkAsset,
  fetchAsset,
  IMAGE_SIZE,
  imagesFile,
  labelsFile,
  normalizePixels,
} from './mnist-asset.js';
import { mnistDataUrl } from './public-url.js';

/** The first 10 000 MNIST test images (one chunk) and their labels, fetched once per tab. */
export interface TestImages {
  count: number;
  /** Image `index` as the book's normalised float32 pixels (784, row-major). */
  image(index: number): Float32Array;
  label(index: number): number;
}

let loading: Promise<TestImages> | null = null;

export function loadTestImages(): Promise<TestImages> {
  loading ??= (async () => {
    const base = mnistDataUrl();
    const [pixels, labels] = await Promise.all([
      fetchAsset(base + imagesFile('test', 0)),
      fetchAsset(base + labelsFile('test')),
    ]);
    checkAsset(imagesFile('test', 0), pixels, 'images');
    checkAsset(labelsFile('test'), labels, 'labels');
    const count = Math.min(labels.length, pixels.length / IMAGE_SIZE);
    const check = (index: number): void => {
      if (!(Number.isInteger(index) && index >= 0 && index < count))
        throw new RangeError(`test image ${index} does not exist (0 to ${count - 1})`);
    };
    return {
      count,
      image: (index) => {
        check(index);
        return normalizePixels(pixels.subarray(index * IMAGE_SIZE, (index + 1) * IMAGE_SIZE));
      },
      label: (index) => {
        check(index);
        return labels[index]!;
      },
    };
  })();
  loading.catch(() => {
    loading = null;
  });
  return loading;
}
