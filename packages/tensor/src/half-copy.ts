import type { Kernels } from './backend/kernels.js';
import type { FloatDType } from './dtype.js';
import { Tensor } from './tensor.js';

// Mixed precision's working copies (book 8.3): where a backend stores a step's float32 tensors as
// float16, a network keeps its weights as float32 masters (the optimizer updates them in float32,
// so an update smaller than a float16 weight's spacing still adds up) and computes from float16
// copies of them, refreshed on the device before each forward.

/**
 * Whether `backend` stores a step's float32 tensors as float16 (`webgpu` with
 * `precision: 'float16'`): there a network's forward and backward read float16 copies of its
 * weights (`halfCopyOf`). False on every other backend (`js`, `wasm`, `webgpu` at float32).
 */
export function halfPrecisionSteps(backend: Kernels | undefined): boolean {
  return backend?.storage?.precision === 'float16';
}

/**
 * A float16 copy of the float32 tensor `master`, on its backend (one with `halfPrecisionSteps`):
 * the same shape, stored as float16, living across steps. It is made once and holds zeros;
 * `copy.assign(master)` refreshes it on the device (a conversion kernel, rounding to nearest even).
 */
export function halfCopyOf<D extends FloatDType>(master: Tensor<D>): Tensor<D> {
  const backend = master.backend;
  const storage = backend?.storage;
  if (master.dtype !== 'float32' || storage?.allocateHalf === undefined || !halfPrecisionSteps(backend)) {
    throw new Error(
      `halfCopyOf: a float32 tensor on a backend that stores steps in float16 is needed, got ${master.dtype} on ${backend?.name ?? 'the default backend'}`,
    );
  }
  const data = storage.allocateHalf(
    master.size,
    `float16 copy of ${master.dtype} [${master.shape.join(',')}]`,
  );
  return new Tensor(data, master.shape, 'float32', backend) as Tensor<D>;
}
