/**
 * Entry of the kernels module. Built twice from this source (scripts/build-wasm.mjs): plain SIMD and
 * relaxed-SIMD. Built with `--runtime stub` and no static data: JavaScript owns the memory from
 * `heapBase()` up and passes pointers, so a threaded build can share one memory later.
 */
export { gemm, gemmScratchBytes } from './gemm';
export { unaryF32, binaryF32, compareF32 } from './elementwise';
export { reduceF32 } from './reduce';
export { activationF32, activationBackwardF32 } from './activation';
export { convForwardF32, convBackwardF32, convScratchBytes } from './conv';
export {
  im2colF32,
  col2imF32,
  maxPoolF32,
  maxPoolBackwardF32,
  avgPoolF32,
  avgPoolBackwardF32,
} from './window';

/** First byte JavaScript may use; everything below belongs to the module. */
export function heapBase(): usize {
  return __heap_base;
}

export { softmaxF32, softmaxCrossEntropyBackwardF32 } from './softmax';
export { batchNormForwardF32, batchNormBackwardF32 } from './batchnorm';
export { dropoutF32 } from './dropout';
export { scaleBytesF32 } from './bytes';
export { optimizerUpdateF32 } from './optimizer';
