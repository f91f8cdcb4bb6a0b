import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Rng, type Tensor } from '@dl/tensor';
import { afterAll, describe, expect, expectTypeOf, it } from 'vitest';
import { MnistDataError } from './errors.js';
import { writeIdx } from './idx.js';
import { writeIdxFile } from './idx-file.js';
import { MNIST_FILE_NAMES, type MnistPart } from './locate.js';
import { loadMnist } from './mnist.js';

const root = mkdtempSync(join(tmpdir(), 'dl-mnist-dir-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

interface Fixture {
  dir: string;
  trainPixels: Uint8Array;
  trainLabels: Uint8Array;
  testPixels: Uint8Array;
  testLabels: Uint8Array;
}

let made = 0;
/** A small MNIST-format data set of seeded random images in a fresh directory. */
function makeDataSet(
  options: {
    nTrain?: number;
    nTest?: number;
    rows?: number;
    cols?: number;
    gz?: boolean;
    dotted?: boolean;
  } = {},
): Fixture {
  const { nTrain = 12, nTest = 5, rows = 28, cols = 28, gz = false, dotted = false } = options;
  const rng = new Rng(1000 + made);
  const dir = join(root, `set${made++}`);
  mkdirSync(dir);
  const bytes = (n: number, high: number): Uint8Array => Uint8Array.from({ length: n }, () => rng.int(high));
  const f: Fixture = {
    dir,
    trainPixels: bytes(nTrain * rows * cols, 256),
    trainLabels: bytes(nTrain, 10),
    testPixels: bytes(nTest * rows * cols, 256),
    testLabels: bytes(nTest, 10),
  };
  const name = (part: MnistPart): string =>
    (dotted ? MNIST_FILE_NAMES[part].replace('-idx', '.idx') : MNIST_FILE_NAMES[part]) + (gz ? '.gz' : '');
  writeIdxFile(join(dir, name('trainImages')), {
    dtype: 'uint8',
    shape: [nTrain, rows, cols],
    data: f.trainPixels,
  });
  writeIdxFile(join(dir, name('trainLabels')), { dtype: 'uint8', shape: [nTrain], data: f.trainLabels });
  writeIdxFile(join(dir, name('testImages')), {
    dtype: 'uint8',
    shape: [nTest, rows, cols],
    data: f.testPixels,
  });
  writeIdxFile(join(dir, name('testLabels')), { dtype: 'uint8', shape: [nTest], data: f.testLabels });
  return f;
}

function errorOf(f: () => unknown): MnistDataError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(MnistDataError);
    return e as MnistDataError;
  }
  throw new Error('expected an error');
}

describe('loadMnist({ dir })', () => {
  it('loads with the book defaults: float32 [N, 784] in [0, 1], int32 labels', () => {
    const f = makeDataSet();
    const { xTrain, tTrain, xTest, tTest } = loadMnist({ dir: f.dir });
    expectTypeOf(tTrain).toEqualTypeOf<Tensor<'int32'>>();
    expect(xTrain.dtype).toBe('float32');
    expect(xTrain.shape).toEqual([12, 784]);
    expect(xTest.shape).toEqual([5, 784]);
    expect(tTrain.dtype).toBe('int32');
    expect(tTrain.shape).toEqual([12]);
    expect(Array.from(tTrain.data)).toEqual(Array.from(f.trainLabels));
    expect(Array.from(tTest.data)).toEqual(Array.from(f.testLabels));
    f.trainPixels.forEach((p, i) => expect(xTrain.data[i]).toBe(Math.fround(p / 255)));
    expect(Array.from(xTest.data.subarray(0, 100))).toEqual(
      Array.from(f.testPixels.subarray(0, 100), (p) => Math.fround(p / 255)),
    );
  });

  it('normalize: false keeps 0..255 as float32; flatten: false gives [N, 1, rows, cols]', () => {
    const f = makeDataSet();
    const { xTrain, xTest } = loadMnist({ dir: f.dir, normalize: false, flatten: false });
    expect(xTrain.dtype).toBe('float32');
    expect(xTrain.shape).toEqual([12, 1, 28, 28]);
    expect(xTest.shape).toEqual([5, 1, 28, 28]);
    expect(Array.from(xTrain.data)).toEqual(Array.from(f.trainPixels));
    expect(xTrain.get(3, 0, 5, 7)).toBe(f.trainPixels[3 * 784 + 5 * 28 + 7]);
  });

  it('oneHotLabel: true gives float32 [N, 10] rows with a single 1 at the label', () => {
    const f = makeDataSet();
    const { tTrain, tTest } = loadMnist({ dir: f.dir, oneHotLabel: true });
    expectTypeOf(tTrain).toEqualTypeOf<Tensor<'float32'>>();
    expect(tTrain.dtype).toBe('float32');
    expect(tTrain.shape).toEqual([12, 10]);
    expect(tTest.shape).toEqual([5, 10]);
    f.trainLabels.forEach((label, i) => {
      const row = Array.from(tTrain.data.subarray(i * 10, (i + 1) * 10));
      expect(row).toEqual(Array.from({ length: 10 }, (_, k) => (k === label ? 1 : 0)));
    });
  });

  it('an option known only at run time types the labels as either', () => {
    const f = makeDataSet({ nTrain: 3, nTest: 2 });
    const oneHot = f.trainLabels[0]! % 2 === 0;
    const { tTrain } = loadMnist({ dir: f.dir, oneHotLabel: oneHot });
    expectTypeOf(tTrain).toEqualTypeOf<Tensor<'float32'> | Tensor<'int32'>>();
    expect(tTrain.dtype).toBe(oneHot ? 'float32' : 'int32');
  });

  it('reads .gz files (the form Fashion-MNIST ships in) and the dotted names', () => {
    const gz = makeDataSet({ gz: true });
    expect(Array.from(loadMnist({ dir: gz.dir }).tTrain.data)).toEqual(Array.from(gz.trainLabels));
    const dotted = makeDataSet({ dotted: true, gz: true });
    expect(Array.from(loadMnist({ dir: dotted.dir }).tTest.data)).toEqual(Array.from(dotted.testLabels));
  });

  it('takes the image size from the header, and checks it when imageShape is given', () => {
    const f = makeDataSet({ rows: 8, cols: 6 });
    expect(loadMnist({ dir: f.dir }).xTrain.shape).toEqual([12, 48]);
    expect(loadMnist({ dir: f.dir, flatten: false }).xTest.shape).toEqual([5, 1, 8, 6]);
    const e = errorOf(() => loadMnist({ dir: f.dir, imageShape: [28, 28] }));
    expect(e.code).toBe('bad-shape');
    expect(e.file).toBe(join(f.dir, 'train-images-idx3-ubyte'));
    expect(e.message).toMatch(/images are 8x6, expected 28x28 \(as options.imageShape requires\)/);
  });

  it('numClasses widens the one-hot rows and the label check', () => {
    const f = makeDataSet();
    writeIdxFile(join(f.dir, 'train-labels-idx1-ubyte'), {
      dtype: 'uint8',
      shape: [12],
      data: f.trainLabels.map((l) => l + 16),
    });
    const { tTrain } = loadMnist({ dir: f.dir, oneHotLabel: true, numClasses: 26 });
    expect(tTrain.shape).toEqual([12, 26]);
    expect(tTrain.get(0, f.trainLabels[0]! + 16)).toBe(1);
  });

  describe('bad input: a MnistDataError naming the file, what was expected and what was found', () => {
    it('missing directory', () => {
      const dir = join(root, 'does-not-exist');
      const e = errorOf(() => loadMnist({ dir }));
      expect(e.code).toBe('missing-file');
      expect(e.message).toContain(dir);
    });

    it('missing file: lists the names tried', () => {
      const f = makeDataSet();
      rmSync(join(f.dir, 't10k-labels-idx1-ubyte'));
      const e = errorOf(() => loadMnist({ dir: f.dir }));
      expect(e.code).toBe('missing-file');
      expect(e.file).toBe(join(f.dir, 't10k-labels-idx1-ubyte'));
      expect(e.message).toContain(
        't10k-labels-idx1-ubyte.gz, t10k-labels.idx1-ubyte, t10k-labels.idx1-ubyte.gz',
      );
    });

    it('wrong magic number', () => {
      const f = makeDataSet();
      const path = join(f.dir, 'train-images-idx3-ubyte');
      writeFileSync(path, new Uint8Array([0x50, 0x4b, 3, 4, 0, 0, 0, 0]));
      const e = errorOf(() => loadMnist({ dir: f.dir }));
      expect(e.code).toBe('bad-magic');
      expect(e.file).toBe(path);
      expect(e.message).toMatch(/magic number 0x504b0304, expected 0x0000TTNN/);
    });

    it('labels where images should be (magic 0x801 for 0x803)', () => {
      const f = makeDataSet();
      const path = join(f.dir, 'train-images-idx3-ubyte');
      writeIdxFile(path, { dtype: 'uint8', shape: [12], data: f.trainLabels });
      const e = errorOf(() => loadMnist({ dir: f.dir }));
      expect(e.code).toBe('bad-shape');
      expect(e.message).toContain(path);
      expect(e.message).toMatch(
        /expected uint8 images \[N, rows, cols\] \(magic number 0x00000803\), found uint8 \[12\]/,
      );
    });

    it('labels of the wrong type', () => {
      const f = makeDataSet();
      const path = join(f.dir, 't10k-labels-idx1-ubyte');
      writeIdxFile(path, { dtype: 'int32', shape: [5], data: Int32Array.from(f.testLabels) });
      const e = errorOf(() => loadMnist({ dir: f.dir }));
      expect(e.code).toBe('bad-shape');
      expect(e.message).toMatch(/expected uint8 labels \[N\].*found int32 \[5\]/);
    });

    it('truncated file', () => {
      const f = makeDataSet();
      const path = join(f.dir, 't10k-images-idx3-ubyte');
      const bytes = writeIdx({ dtype: 'uint8', shape: [5, 28, 28], data: f.testPixels });
      writeFileSync(path, bytes.subarray(0, bytes.length - 100));
      const e = errorOf(() => loadMnist({ dir: f.dir }));
      expect(e.code).toBe('truncated');
      expect(e.file).toBe(path);
      expect(e.message).toMatch(/header says uint8 \[5,28,28\], expected 3936 bytes, file has 3836/);
    });

    it('image/label count mismatch: names both files and both counts', () => {
      const f = makeDataSet();
      const labels = join(f.dir, 'train-labels-idx1-ubyte');
      writeIdxFile(labels, { dtype: 'uint8', shape: [11], data: f.trainLabels.subarray(0, 11) });
      const e = errorOf(() => loadMnist({ dir: f.dir }));
      expect(e.code).toBe('count-mismatch');
      expect(e.file).toBe(labels);
      expect(e.message).toContain(
        `${labels}: 11 labels for 12 images in ${join(f.dir, 'train-images-idx3-ubyte')}`,
      );
    });

    it('test images of another size than the training images', () => {
      const f = makeDataSet();
      const path = join(f.dir, 't10k-images-idx3-ubyte');
      writeIdxFile(path, { dtype: 'uint8', shape: [5, 27, 29], data: f.testPixels.subarray(0, 5 * 27 * 29) });
      const e = errorOf(() => loadMnist({ dir: f.dir }));
      expect(e.code).toBe('bad-shape');
      expect(e.message).toMatch(/images are 27x29, expected 28x28 \(the size of the training images\)/);
    });

    it('corrupt gzip', () => {
      const f = makeDataSet({ gz: true });
      const path = join(f.dir, 'train-labels-idx1-ubyte.gz');
      const gz = gzipSync(writeIdx({ dtype: 'uint8', shape: [12], data: f.trainLabels }));
      gz[gz.length - 6] = gz[gz.length - 6]! ^ 0xff; // damage the CRC-32 trailer
      writeFileSync(path, gz);
      const e = errorOf(() => loadMnist({ dir: f.dir }));
      expect(e.code).toBe('bad-gzip');
      expect(e.file).toBe(path);
      expect(e.message).toContain(path);
    });

    it('a label outside [0, numClasses)', () => {
      const f = makeDataSet();
      const path = join(f.dir, 't10k-labels-idx1-ubyte');
      const labels = f.testLabels.slice();
      labels[3] = 10;
      writeIdxFile(path, { dtype: 'uint8', shape: [5], data: labels });
      const e = errorOf(() => loadMnist({ dir: f.dir }));
      expect(e.code).toBe('bad-label');
      expect(e.message).toContain(`${path}: label 10 at index 3 is outside [0, 10)`);
    });

    it('numClasses that cannot work', () => {
      expect(() => loadMnist({ dir: root, numClasses: 0 })).toThrow(RangeError);
    });
  });
});
