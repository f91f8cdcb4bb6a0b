import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng, type Tensor } from '@dl/tensor';
import { afterAll, describe, expect, expectTypeOf, it } from 'vitest';
import { MnistDataError } from './errors.js';
import { writeIdxFile } from './idx-file.js';
import { MNIST_FILE_NAMES } from './locate.js';
import { loadMnist, loadMnistBytes, type MnistByteData, type MnistData } from './mnist.js';

/** Every element of `bytes` divided by `scale` in float64 and rounded once, as float32 bit patterns. */
function scaledBits(bytes: Uint8Array, scale: number): Uint32Array {
  const out = new Float32Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = bytes[i]! / scale;
  return new Uint32Array(out.buffer);
}

const bits = (x: Tensor<'float32'>): Uint32Array =>
  new Uint32Array(x.data.buffer, x.data.byteOffset, x.data.length);

/** The first index where `a` and `b` differ, -1 when none (toEqual walks 47 M elements too slowly). */
function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return -1;
}

/** The bytes, scaled, against loadMnist's float32 images: equal bit for bit, same shapes and labels. */
function expectSameAsFloat(bytes: MnistByteData<boolean>, floats: MnistData<boolean>): void {
  for (const [b, f] of [
    [bytes.xTrain, floats.xTrain],
    [bytes.xTest, floats.xTest],
  ] as const) {
    expect(b.dtype).toBe('uint8');
    expect(b.shape).toEqual(f.shape);
    expect(firstDifference(scaledBits(b.data, bytes.pixelScale), bits(f))).toBe(-1);
  }
  expect(firstDifference(bytes.tTrain.data, floats.tTrain.data)).toBe(-1);
  expect(firstDifference(bytes.tTest.data, floats.tTest.data)).toBe(-1);
}

describe('loadMnistBytes() on the bundled MNIST', () => {
  it('holds the bytes whose float32 quotients are loadMnist() values, bit for bit', () => {
    const bytes = loadMnistBytes();
    expectTypeOf(bytes.xTrain).toEqualTypeOf<Tensor<'uint8'>>();
    expect(bytes.pixelScale).toBe(255);
    expectSameAsFloat(bytes, loadMnist());
  });

  it('keeps [N, 1, 28, 28] and the raw values 0..255 with flatten and normalize false', () => {
    const options = { flatten: false, normalize: false, oneHotLabel: true } as const;
    const bytes = loadMnistBytes(options);
    expect(bytes.pixelScale).toBe(1);
    expect(bytes.xTest.shape.slice(1)).toEqual([1, 28, 28]);
    expectSameAsFloat(bytes, loadMnist(options));
  });
});

const root = mkdtempSync(join(tmpdir(), 'dl-mnist-bytes-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** An MNIST-format directory of seeded random images, plain or gzip. */
function writeDataSet(name: string, gz: boolean, badLabel = false): string {
  const dir = join(root, name);
  mkdirSync(dir);
  const rng = new Rng(name.length);
  const bytes = (n: number, high: number): Uint8Array => Uint8Array.from({ length: n }, () => rng.int(high));
  const [nTrain, nTest, rows, cols] = [9, 4, 5, 6];
  const file = (part: keyof typeof MNIST_FILE_NAMES): string =>
    join(dir, MNIST_FILE_NAMES[part] + (gz ? '.gz' : ''));
  writeIdxFile(file('trainImages'), {
    dtype: 'uint8',
    shape: [nTrain, rows, cols],
    data: bytes(nTrain * rows * cols, 256),
  });
  const trainLabels = bytes(nTrain, 10);
  if (badLabel) trainLabels[nTrain - 1] = 10; // outside the 10 classes
  writeIdxFile(file('trainLabels'), { dtype: 'uint8', shape: [nTrain], data: trainLabels });
  writeIdxFile(file('testImages'), {
    dtype: 'uint8',
    shape: [nTest, rows, cols],
    data: bytes(nTest * rows * cols, 256),
  });
  writeIdxFile(file('testLabels'), { dtype: 'uint8', shape: [nTest], data: bytes(nTest, 10) });
  return dir;
}

describe('loadMnistBytes({ dir })', () => {
  it.each([false, true])('reads any MNIST-format directory as loadMnist does (gzip %s)', (gz) => {
    const dir = writeDataSet(gz ? 'gzip' : 'plain', gz);
    expectSameAsFloat(loadMnistBytes({ dir }), loadMnist({ dir }));
    expectSameAsFloat(loadMnistBytes({ dir, flatten: false }), loadMnist({ dir, flatten: false }));
  });

  it('refuses what loadMnist refuses, with the same error', () => {
    const dir = writeDataSet('bad-labels', false, true);
    const error = (load: () => unknown): unknown => {
      try {
        load();
      } catch (e) {
        return e;
      }
      return undefined;
    };
    const fromBytes = error(() => loadMnistBytes({ dir }));
    expect(fromBytes).toBeInstanceOf(MnistDataError);
    expect(fromBytes).toEqual(error(() => loadMnist({ dir })));
  });
});
