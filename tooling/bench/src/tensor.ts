/**
 * What the benchmark uses of @dl/tensor, from its TypeScript sources (run with `node --import tsx`,
 * no build needed but the `.wasm`). The naive GEMM is an internal of the package: it is imported
 * from its file, here only.
 */
export {
  chooseBackend,
  convGeometry,
  createWasmBackend,
  hasWasmRelaxedSimd,
  jsKernels,
  randint,
  randn,
  Rng,
  setBackend,
  stepScope,
  Tensor,
  withBackend,
} from '../../../packages/tensor/src/index.js';
export type { ConvGeometry, GemmArgs, Kernels, WasmKernels } from '../../../packages/tensor/src/index.js';
export { naiveGemm } from '../../../packages/tensor/src/backend/js/naive-gemm.js';
