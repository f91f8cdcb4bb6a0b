/**
 * What the training-step and memory benchmarks use of @dl/layers, @dl/optim and @dl/data-mnist, from their TypeScript sources.
 * They import `@dl/tensor` themselves: the harness runs node with `--conditions=source` (main.ts) so
 * that resolves to the same source module as `./tensor.js`, and `setBackend` reaches their kernels.
 */
export { DeepConvNet, SimpleConvNet, TwoLayerNet } from '../../../packages/layers/src/index.js';
export { buildModel } from '../../../packages/layers/src/index.js';
export type { LayerNetwork, ModelSpec } from '../../../packages/layers/src/index.js';
export { Adam, SGD, Trainer } from '../../../packages/optim/src/index.js';
export type { Optimizer } from '../../../packages/optim/src/index.js';
export {
  bundledMnistDir,
  loadMnist,
  loadMnistBytes,
  MNIST_FILE_NAMES,
  sampleBatch,
} from '../../../packages/data-mnist/src/index.js';
