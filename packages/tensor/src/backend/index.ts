import type { Kernels } from './kernels.js';
import { jsKernels } from './js/js.js';

let current: Kernels = jsKernels;

/** The kernels ops run on now. Starts as the `js` reference backend. */
export function getBackend(): Kernels {
  return current;
}

/** Makes `kernels` the backend for every op from now on; returns the previous one. */
export function setBackend(kernels: Kernels): Kernels {
  const previous = current;
  current = kernels;
  return previous;
}

/** Runs `fn` with `kernels` as the backend, then restores the previous one (also on throw). */
export function withBackend<T>(kernels: Kernels, fn: () => T): T {
  const previous = setBackend(kernels);
  try {
    return fn();
  } finally {
    setBackend(previous);
  }
}
