/**
 * MNIST as the playground serves it: raw bytes without a header, gzip-compressed (55 MB become
 * 11 MB; browsers decompress with `DecompressionStream`), so the browser needs no parser.
 * `scripts/build-mnist-asset.ts` writes them from the bundled IDX files into `public/data/mnist/`:
 *   train-labels.u8.gz          one byte (0-9) per image; its length is the number of images
 *   train-images-<k>.u8.gz      images k·CHUNK .. (k+1)·CHUNK - 1, 784 bytes each, row-major, 0 = background
 *   test-labels.u8.gz, test-images-<k>.u8.gz   the same for the test set
 * Images come in chunks so that training on a subset downloads only the chunks it needs.
 */

export const IMAGE_ROWS = 28;
export const IMAGE_COLS = 28;
export const IMAGE_SIZE = IMAGE_ROWS * IMAGE_COLS;
export const CHUNK_IMAGES = 10_000;

export type MnistSplit = 'train' | 'test';

export const labelsFile = (split: MnistSplit): string => `${split}-labels.u8.gz`;
export const imagesFile = (split: MnistSplit, chunk: number): string => `${split}-images-${chunk}.u8.gz`;

/** How many chunk files hold the first `count` images. */
export function chunksFor(count: number): number {
  return Math.ceil(count / CHUNK_IMAGES);
}

/** The pixels of MNIST images as the book's `load_mnist(normalize=True)` gives them: float32 in [0, 1]. */
export function normalizePixels(bytes: Uint8Array): Float32Array {
  const out = new Float32Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = bytes[i]! / 255;
  return out;
}

/** Checks downloaded bytes before they are used, naming the file and what was wrong. */
export function checkAsset(name: string, bytes: Uint8Array, kind: 'labels' | 'images'): void {
  if (kind === 'images' && bytes.length % IMAGE_SIZE !== 0) {
    throw new Error(`${name}: ${bytes.length} bytes is not a whole number of ${IMAGE_SIZE}-byte images`);
  }
  if (kind === 'labels') {
    for (let i = 0; i < bytes.length; i++) {
      if (bytes[i]! > 9) throw new Error(`${name}: label ${bytes[i]} at index ${i} is not a digit`);
    }
  }
}

/** True when bytes start with the gzip magic number (1f 8b). */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Fetches one asset file and returns its bytes unpacked, with errors that name the URL. Some servers
 * (`vite preview`, many static hosts) send `.gz` files with `Content-Encoding: gzip`, so the browser
 * has already unpacked them; others send them as they are. The data never starts with the gzip magic
 * (labels are 0-9, every image's first pixel is 0), so its presence tells which happened.
 */
export async function fetchAsset(url: string): Promise<Uint8Array> {
  const response = await fetch(url);
  if (!response.ok) {
    throw new Error(
      `${url}: HTTP ${response.status}; build the data with \`pnpm --filter @dl/playground run data\``,
    );
  }
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (!isGzip(bytes)) return bytes;
  const unpacked = new Response(new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip')));
  return new Uint8Array(await unpacked.arrayBuffer());
}
