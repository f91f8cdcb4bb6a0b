/**
 * @dl/tensor — the NumPy that *Deep Learning from Scratch* leans on, in TypeScript: tensors with
 * shapes and dtypes, broadcasting, reductions, matrix products, a seeded RNG, and a backend seam
 * (`Kernels`, with its optional fused tier) that the WebAssembly backend implements. The conformance
 * suite every backend must pass is the `@dl/tensor/conformance` entry.
 */
export * from './dtype.js';
export { allocate, allocateFilled, allocateOutput, isDeviceResident } from './allocate.js';
export { BufferPool, POOLED_LENGTH, withBufferPool } from './buffer-pool.js';
export * from './shape.js';
export { Rng, type RngState } from './rng.js';
export { Tensor, type NestedArray } from './tensor.js';
export { outsideStep, stepScope } from './scope.js';
export { halfCopyOf, halfPrecisionSteps } from './half-copy.js';
export type { BackendStorage, StorageBlock } from './storage.js';
export type { ReleasableBlock } from './step-scopes.js';
export * from './create.js';
export * from './random.js';
export { BatchSampler, gatherRows, rowsBuffer, type Sampling, type SamplerState } from './batch-sampler.js';
export * from './ops/elementwise.js';
export * from './ops/reduce.js';
export * from './ops/matmul.js';
export * from './ops/manipulate.js';
export * from './ops/activation.js';
export type {
  Kernels,
  FusedKernels,
  GemmArgs,
  BinaryArgs,
  ReduceArgs,
  UnaryOp,
  BinaryOp,
  ReduceOp,
  ActivationOp,
  BatchNormView,
  BatchNormForwardArgs,
  BatchNormBackwardArgs,
  OptimizerUpdate,
} from './backend/kernels.js';
export { ACTIVATION_OPS, BINARY_OPS, REDUCE_OPS, UNARY_OPS } from './backend/kernels.js';
export { jsKernels } from './backend/js/js.js';
export { getBackend, setBackend, withBackend, onBackend } from './backend/index.js';
export {
  chooseBackend,
  createBackend,
  fastestBackendName,
  type BackendName,
  type ChooseBackendOptions,
  type ChosenBackend,
  type CreateBackendOptions,
} from './backend/choose.js';
export { createWasmBackend, type WasmBackendOptions, type WasmKernels } from './backend/wasm/wasm.js';
export type { CopyCounts, HeapStats } from './backend/wasm/heap.js';
export {
  hasWasmSimd,
  hasWasmRelaxedSimd,
  type WasmFeatures,
  type WasmVariant,
} from './backend/wasm/features.js';
export * from './ops/im2col.js';
export * from './ops/pooling.js';
export type { HalfFormat } from './precision/half-format.js';
export * from './precision/float16.js';
export * from './precision/bfloat16.js';
export * from './precision/half-tensor.js';
export type { ConvForwardArgs, ConvBackwardArgs } from './backend/kernels.js';
export { enableRelaxedSimdInNode } from './backend/wasm/node-flags.js';
