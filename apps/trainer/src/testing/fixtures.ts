import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MNIST_FILE_NAMES, writeIdxFile } from '@dl/data-mnist';
import { Rng, Tensor } from '@dl/tensor';
import { captureIo } from '../cli/io.js';
import { main } from '../main.js';

/** A fresh temporary directory; `cleanup()` removes it. */
export function tempDir(prefix = 'dl-trainer-'): { path: string; cleanup: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) };
}

/**
 * Writes the spec of a small convolutional network (one 4-filter 5×5 layer, ReLU, 4×4 pooling, an
 * affine layer to 10 classes) to `path`, for `dl train --spec` in tests that need a checkpoint of a
 * CNN quickly. Returns `path`.
 */
export function writeSmallConvSpec(path: string): string {
  writeFileSync(
    path,
    JSON.stringify({
      kind: 'sequential',
      input: [1, 28, 28],
      layers: [
        { type: 'convolution', filters: 4, size: 5 },
        { type: 'relu' },
        { type: 'pooling', size: 4 },
        { type: 'affine', units: 10 },
      ],
    }),
  );
  return path;
}

/**
 * Writes a tiny MNIST-format data set that a network can learn: each class lights a different
 * 5×5 patch of a 28×28 image, over seeded noise. Returns the directory.
 */
export function writeTinyMnist(
  dir: string,
  options: { train?: number; test?: number; seed?: number } = {},
): string {
  const { train = 200, test = 100, seed = 1 } = options;
  mkdirSync(dir, { recursive: true });
  const rng = new Rng(seed);
  const make = (n: number): { images: Uint8Array; labels: Uint8Array } => {
    const images = new Uint8Array(n * 784);
    const labels = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const c = rng.int(10);
      labels[i] = c;
      for (let p = 0; p < 784; p++) images[i * 784 + p] = rng.int(60);
      const top = 2 + 5 * Math.floor(c / 4);
      const left = 2 + 6 * (c % 4);
      for (let y = top; y < top + 5; y++)
        for (let x = left; x < left + 5; x++) images[i * 784 + y * 28 + x] = 200 + rng.int(56);
    }
    return { images, labels };
  };
  const write = (n: number, imagesName: string, labelsName: string): void => {
    const { images, labels } = make(n);
    writeIdxFile(join(dir, imagesName), { dtype: 'uint8', shape: [n, 28, 28], data: images });
    writeIdxFile(join(dir, labelsName), { dtype: 'uint8', shape: [n], data: labels });
  };
  write(train, MNIST_FILE_NAMES.trainImages, MNIST_FILE_NAMES.trainLabels);
  write(test, MNIST_FILE_NAMES.testImages, MNIST_FILE_NAMES.testLabels);
  return dir;
}

/** Runs `dl ...argv` in-process; returns the exit code and what it wrote. */
export async function runDl(
  argv: readonly string[],
  options: { isTTY?: boolean; errorIsTTY?: boolean; interrupt?: AbortSignal; columns?: number } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const io = captureIo(options);
  const code = await main(argv, io);
  return { code, stdout: io.stdout(), stderr: io.stderr() };
}

/**
 * `n` learnable 28×28 images in memory: noise plus a bright 6×6 patch whose place is the label, so a
 * network makes real progress in 100 steps.
 */
export function patchImages(n: number, rng: Rng): { x: Tensor<'float32'>; t: Tensor<'int32'> } {
  const x = new Float32Array(n * 28 * 28);
  const t = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const label = Math.floor(rng.random() * 10);
    t[i] = label;
    const [top, left] = [2 + 5 * Math.floor(label / 5), 2 + 5 * (label % 5)];
    for (let p = 0; p < 28 * 28; p++) x[i * 784 + p] = 0.3 * rng.random();
    for (let y = top; y < top + 6; y++) for (let c = left; c < left + 6; c++) x[i * 784 + y * 28 + c] = 1;
  }
  return { x: new Tensor(x, [n, 1, 28, 28], 'float32'), t: new Tensor(t, [n], 'int32') };
}
