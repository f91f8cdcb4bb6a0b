/**
 * What the training-step benchmark uses of @dl/layers and @dl/optim, from their TypeScript sources.
 * They import `@dl/tensor` themselves: the harness runs node with `--conditions=source` (main.ts) so
 * that resolves to the same source module as `./tensor.js`, and `setBackend` reaches their kernels.
 */
export { DeepConvNet, SimpleConvNet, TwoLayerNet } from '../../../packages/layers/src/index.js';
export type { LayerNetwork } from '../../../packages/layers/src/index.js';
export { Adam, SGD } from '../../../packages/optim/src/index.js';
export { loadMnist, sampleBatch } from '../../../packages/data-mnist/src/index.js';
