/**
 * @dl/data-mnist — the data of *Deep Learning from Scratch*: the original MNIST files (bundled,
 * checked by SHA-256) or any MNIST-format directory loaded into `@dl/tensor` tensors like the book's
 * `load_mnist` (ch03, `dataset/mnist.py`); a general IDX reader and writer; seeded mini-batches.
 */
export { MnistDataError, IdxFormatError, type MnistErrorCode } from './errors.js';
export {
  readIdx,
  writeIdx,
  IDX_TYPES,
  type IdxDType,
  type IdxArray,
  type AnyIdxArray,
  type IdxArrayMap,
  type IdxArrayOf,
} from './idx.js';
export { readIdxFile, writeIdxFile } from './idx-file.js';
export {
  loadMnist,
  loadMnistBytes,
  type LoadMnistOptions,
  type MnistByteData,
  type MnistData,
  type MnistLabels,
} from './mnist.js';
export {
  MNIST_FILE_NAMES,
  BUNDLED_MNIST_DIGESTS,
  bundledMnistDir,
  findMnistFiles,
  type MnistPart,
  type MnistPaths,
} from './locate.js';
export { sha256Hex, type FileDigest } from './verify.js';
export {
  DataLoader,
  sampleBatch,
  sampleIndices,
  takeBatch,
  epochBatches,
  batchesPerEpoch,
  type Batch,
  type EpochOptions,
} from './batch.js';
// Browser-safe, also on its own as `@dl/data-mnist/digit` (this entry reads files with node:fs).
export * from './digit/index.js';
