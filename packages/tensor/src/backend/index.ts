import type { Kernels } from './kernels.js';
import { jsKernels } from './js/js.js';

// Two layers decide where an op runs. The process default (`setBackend`, `withBackend`) is what
// code that names no backend gets, as it always has. An explicit backend (`onBackend`, used by a
// network, optimizer or Trainer given `{ backend }`) binds: tensors created inside are tied to it
// (`Tensor.backend`), and an op whose tensor operands are tied to two different backends throws
// instead of moving data behind the caller's back.
let current: Kernels = jsKernels;
let bound: Kernels | undefined;

/** The kernels ops run on now: the explicit backend of the running `onBackend`, else the process default. */
export function getBackend(): Kernels {
  return bound ?? current;
}

/** Makes `kernels` the process default for every op from now on; returns the previous default. */
export function setBackend(kernels: Kernels): Kernels {
  if (kernels.storage?.deviceResident === true) {
    // Code that names no backend makes plain arrays, which a GPU kernel cannot write.
    throw new Error(
      `setBackend: the ${kernels.name} backend cannot be the process default; give it to the network, optimizer and Trainer ({ backend })`,
    );
  }
  const previous = current;
  current = kernels;
  return previous;
}

/** Runs `fn` with `kernels` as the process default, then restores the previous one (also on throw). */
export function withBackend<T>(kernels: Kernels, fn: () => T): T {
  const previous = setBackend(kernels);
  try {
    return fn();
  } finally {
    setBackend(previous);
  }
}

/**
 * Runs `fn` on `backend` explicitly: its ops run there, and the tensors it creates are tied to it
 * (`Tensor.backend`). With `undefined`, runs `fn` as it is. Synchronous on purpose: an `await`
 * inside would let other code run on this backend; async code wraps each synchronous step.
 */
export function onBackend<T>(backend: Kernels | undefined, fn: () => T): T {
  if (backend === undefined || backend === bound) return fn();
  const previous = bound;
  bound = backend;
  try {
    return fn();
  } finally {
    bound = previous;
  }
}

/** The explicit backend new tensors are tied to now (`undefined`: none, they follow the default). */
export function boundBackend(): Kernels | undefined {
  return bound;
}

/** A tensor operand as the backend check sees it. */
interface OnBackend {
  readonly backend: Kernels | undefined;
}

/**
 * The backend an op's result is tied to: the operands' common explicit backend, else the one of the
 * running `onBackend` (`undefined` outside one). The op runs on `result ?? getBackend()`. Throws when
 * two operands are tied to different backends (a reference comparison per operand): no implicit
 * move; the caller moves one with `tensor.to(backend)`.
 */
export function backendOf(op: string, ...operands: readonly (OnBackend | undefined)[]): Kernels | undefined {
  let found: Kernels | undefined;
  for (const t of operands) {
    const b = t?.backend;
    if (b === undefined || b === found) continue;
    if (found !== undefined) {
      throw new Error(
        `${op}: tensors on two backends, ${describe(found)} and ${describe(b)}; move one with .to(backend)`,
      );
    }
    found = b;
  }
  return found ?? bound;
}

function describe(backend: Kernels): string {
  const variant = (backend as { features?: { variant?: string } }).features?.variant;
  return variant === undefined || variant === backend.name ? backend.name : `${backend.name} (${variant})`;
}
