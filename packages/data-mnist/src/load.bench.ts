import { readFileSync } from 'node:fs';
import { bench, describe } from 'vitest';
import { pixelsToFloat32 } from './convert.js';
import { readIdx } from './idx.js';
import { MNIST_PARTS, bundledMnistPaths } from './locate.js';
import { loadMnist } from './mnist.js';
import { clearVerificationCache, sha256Hex } from './verify.js';

// Where the time of `loadMnist()` goes, phase by phase (`npx vitest bench --run` in this package).
const paths = bundledMnistPaths();
const files = MNIST_PARTS.map((part) => readFileSync(paths[part]));
const images = [readIdx(files[0]!), readIdx(files[2]!)];
const options = { time: 3000, iterations: 5, warmupIterations: 1 };

describe('loadMnist phases (all 70000 images)', () => {
  bench('read the 4 files (55 MB)', () => void MNIST_PARTS.map((part) => readFileSync(paths[part])), options);
  bench('SHA-256 of the 4 files', () => void files.map((bytes) => sha256Hex(bytes)), options);
  bench('parse the IDX headers', () => void files.map((bytes) => readIdx(bytes)), options);
  bench(
    'normalise 70000 images to float32',
    () => {
      for (const { data } of images) pixelsToFloat32(data as Uint8Array, true);
    },
    options,
  );
});

describe('loadMnist end to end', () => {
  bench(
    'cold: verification not cached (read + hash + parse + normalise)',
    () => {
      clearVerificationCache();
      loadMnist();
    },
    options,
  );
  bench('warm: verification cached (read + parse + normalise)', () => void loadMnist(), options);
  bench(
    'warm, one-hot labels, [N,1,28,28]',
    () => void loadMnist({ oneHotLabel: true, flatten: false }),
    options,
  );
});
