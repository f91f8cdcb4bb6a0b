import { boundBackend } from './backend/index.js';
import type { Kernels } from './backend/kernels.js';
import { blocksIn } from './storage.js';

/**
 * Runs `fn` as one step on `backend` (by default the explicit backend of the running `onBackend`):
 * tensors it allocates in the backend's storage are released when it returns, except those in its
 * result (a tensor, or tensors in an array, Map or plain object), which belong to the enclosing step
 * if there is one. Reading a released tensor throws ("released at the end of step N"). On a backend
 * without storage of its own (`js`) it just runs `fn`: the garbage collector reclaims plain arrays.
 *
 * A network's `gradient` and `predict` are steps; wrap a training loop's step (batch, gradient,
 * update) in one so the batch goes too. State that must outlive a step (an optimizer's slots, a
 * layer's buffers) is made outside any step, usually in a constructor.
 */
export function stepScope<T>(fn: () => T, backend: Kernels | undefined = boundBackend()): T {
  const storage = backend?.storage;
  return storage === undefined ? fn() : storage.scope(fn, (result) => blocksIn(result));
}

/**
 * Runs `fn` with the tensors it allocates on `backend` belonging to no step: for long-lived state made
 * lazily while a step runs (an optimizer's slots at its first update).
 */
export function outsideStep<T>(fn: () => T, backend: Kernels | undefined = boundBackend()): T {
  const storage = backend?.storage;
  return storage === undefined ? fn() : storage.unscoped(fn);
}
