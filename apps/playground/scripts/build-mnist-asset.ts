/**
 * Writes MNIST into `public/data/mnist/` in the raw layout `src/lib/mnist-asset.ts` describes, from the
 * IDX files bundled with @dl/data-mnist (checked by SHA-256 there). Runs before `vite dev` and
 * `vite build`; skips the work when the files are already there and complete.
 *
 *   node --conditions source --import tsx scripts/build-mnist-asset.ts [--force]
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';
// NOTE: by path until @dl/data-mnist is a devDependency of the playground; the package's Node-only
// index (fs, zlib, crypto) must never reach the browser bundle, and scripts/ is not bundled.
import { loadMnist } from '../../../packages/data-mnist/src/index.js';
import {
  CHUNK_IMAGES,
  IMAGE_SIZE,
  chunksFor,
  imagesFile,
  labelsFile,
  type MnistSplit,
} from '../src/lib/mnist-asset.js';

const outDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'public', 'data', 'mnist');
const COUNTS: Readonly<Record<MnistSplit, number>> = { train: 60_000, test: 10_000 };

function expectedFiles(): Map<string, number> {
  const files = new Map<string, number>();
  for (const split of ['train', 'test'] as const) {
    const n = COUNTS[split];
    files.set(labelsFile(split), n);
    for (let k = 0; k < chunksFor(n); k++) {
      files.set(imagesFile(split, k), Math.min(CHUNK_IMAGES, n - k * CHUNK_IMAGES) * IMAGE_SIZE);
    }
  }
  return files;
}

/** True when every file is there and unpacks to its expected size (an interrupted run leaves a short one). */
function complete(files: Map<string, number>): boolean {
  for (const [name, size] of files) {
    const path = join(outDir, name);
    if (!existsSync(path)) return false;
    try {
      if (gunzipSync(readFileSync(path)).length !== size) return false;
    } catch {
      return false;
    }
  }
  return true;
}

function write(name: string, bytes: Uint8Array): void {
  writeFileSync(join(outDir, name), gzipSync(bytes, { level: 6 }));
}

/** Pixel values 0..255 (loaded as float32) and labels 0..9 (int32) back to bytes; exact for both. */
function toBytes(values: Float32Array | Int32Array): Uint8Array {
  return Uint8Array.from(values);
}

const files = expectedFiles();
if (!process.argv.includes('--force') && complete(files)) {
  console.log(`mnist asset: up to date in ${outDir}`);
} else {
  const started = Date.now();
  // normalize: false keeps the original 0..255 values (as float32), which convert back exactly.
  const data = loadMnist({ normalize: false });
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const splits = {
    train: { x: data.xTrain, t: data.tTrain },
    test: { x: data.xTest, t: data.tTest },
  };
  for (const split of ['train', 'test'] as const) {
    const { x, t } = splits[split];
    const n = COUNTS[split];
    if (x.shape[0] !== n || x.shape[1] !== IMAGE_SIZE)
      throw new Error(`mnist asset: ${split} images are [${x.shape.join(', ')}]`);
    write(labelsFile(split), toBytes(t.data));
    for (let k = 0; k < chunksFor(n); k++) {
      const rows = x.data.subarray(
        k * CHUNK_IMAGES * IMAGE_SIZE,
        Math.min(n, (k + 1) * CHUNK_IMAGES) * IMAGE_SIZE,
      );
      write(imagesFile(split, k), toBytes(rows));
    }
  }
  if (!complete(files)) throw new Error('mnist asset: the written files do not have the expected sizes');
  console.log(
    `mnist asset: wrote ${files.size} files to ${outDir} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
}
